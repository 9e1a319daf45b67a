/* clan.c — the agents and the tree of clan.h. */
#include "clan.h"

struct agent ag[3];
static l4_threadid_t clan_pager;
static char agent_stacks[3][16384] __attribute__((aligned(4096)));

static uint64_t stack_top(unsigned i) { return (uint64_t)agent_stacks[i] + sizeof(agent_stacks[i]) - 8; }

static void agent_run(struct agent *g);
static void agent_a(void) { agent_run(&ag[A]); }
static void agent_b(void) { agent_run(&ag[B]); }
static void agent_a1(void) { agent_run(&ag[A1]); }

/* A send (deceiving if vsender is not nil) with extra flags; a call waits for ever. */
static uint64_t agent_send(l4_threadid_t to, l4_threadid_t vsender, unsigned flags,
                           l4_msgtag_t tag, l4_msg_t *m)
{
    l4_timeout_t t = l4_timeout_from_us(500000);
    if (!l4_tid_is_nil(vsender))
        return l4_send_deceiving(to, vsender, flags, tag, m, t, L4_TIMEOUT_NEVER, 0);
    struct l4_ipc_regs r = { to, tag, l4_ipc_control(L4_IPC_SEND | flags, t, L4_TIMEOUT_NEVER), *m };
    return l4_ipc(&r);
}

static void agent_script(struct agent *g)
{
    l4_threadid_t first;
    if (g->spawn)
        g->spawn_err = l4_task_new(L4_TASK_ANY, (uint64_t)agent_a1, stack_top(A1), clan_pager,
                                   100, L4_NILTHREAD, &first);
    if (!l4_tid_is_nil(g->ask)) {
        uint64_t type, err;
        g->near = l4_id_nearest(g->ask, &type, &err);
        g->near_type = type;
        g->near_err = err;
    }
    if (!l4_tid_is_nil(g->send_to)) {
        l4_msg_t m = { { MAGIC } };
        g->send_res = agent_send(g->send_to, g->vsender, g->send_flags, l4_msgtag(1, 1, 0), &m);
        g->sent = 1;
    }
}

static void agent_run(struct agent *g)
{
    g->id = l4_myself();
    agent_script(g);
    for (;;) {
        l4_threadid_t from = L4_NILTHREAD, intended = L4_NILTHREAD;
        l4_msg_t m;
        uint64_t r = l4_chief_receive(&from, &intended, &m, L4_TIMEOUT_NEVER);
        g->res = r;
        g->from = from;
        g->intended = intended;
        g->w0 = m.w[0];
        g->got++;
        if (g->forward && (r & L4_RES_REDIRECTED)) {
            g->fwd_res = agent_send(intended, from, g->fwd_flags, l4_ipc_tag(r), &m);
            g->forwarded++;
        }
    }
}

static volatile uint64_t *waiting_on;
static int word_set(void) { return *waiting_on != 0; }
int wait_word(volatile uint64_t *w)
{
    waiting_on = w;
    return kt_wait_until(word_set, 2000);
}

uint64_t agent_start(unsigned which)
{
    l4_threadid_t first;
    return l4_task_new(L4_TASK_ANY, (uint64_t)(which == B ? agent_b : agent_a), stack_top(which),
                       clan_pager, 100, L4_NILTHREAD, &first);
}

void agent_stop(unsigned which)
{
    l4_task_delete(l4_tid_task(ag[which].id));
    memset(&ag[which], 0, sizeof(ag[which]));
}

int tree_start(int a1, int b_first)
{
    clan_pager = pager_start();
    ag[A].spawn = a1;
    for (int i = 0; i < 2; i++) {
        int b = (i == 0) == b_first;
        if (agent_start(b ? B : A) || !wait_word(&ag[b ? B : A].id))
            return 1;
        if (!b && a1 && !wait_word(&ag[A1].id))
            return 1;
    }
    return 0;
}

void tree_end(void)
{
    if (ag[A].id)
        l4_task_delete(l4_tid_task(ag[A].id));      /* and A1 with it */
    if (ag[B].id)
        l4_task_delete(l4_tid_task(ag[B].id));
    memset(ag, 0, sizeof(ag));
}
