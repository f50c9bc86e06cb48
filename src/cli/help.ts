/** The text of `muxctl --help`. */
export const HELP = `muxctl — run many AI coding agents in tmux sessions and git worktrees, and see the truth about each.

Usage:
  muxctl                          open the dashboard (without a terminal: print the status table)
  muxctl up [worker…]             start workers (all when none named); running ones are left alone
  muxctl down [worker…]           stop workers gracefully; their worktrees are kept
        --remove                  also remove the worktrees — refused when one holds uncommitted
                                  changes or commits not on the base branch
        --force                   with --remove: remove anyway, after saving a backup ref
  muxctl worker add NAME --lane L (--agent A | --command C) [--base B] [--json]
                                  write a worker into the config (its comments and layout kept),
                                  checked like any edit (a bad field is named, nothing written),
                                  then start it; --base only as the project's baseBranch
  muxctl worker remove NAME [--force] [--json]
                                  stop and remove its worktree through down --remove's guard
                                  (refused, the worker left running, if work would be lost), then
                                  take it out of the config
  muxctl status [--json]          print every worker's state and the evidence for it
  muxctl explain <worker|FILE> [--json]  what muxctl reads from a log: format and why, turns, last tool, tokens, unreadable lines
  muxctl diff <worker> [--stat] [--json]  what landing the worker would bring (from the merge-base with
                                  the base branch) plus its uncommitted and untracked files: the files
                                  with +/− counts, then the patch (capped); --stat: the files only
  muxctl answer <worker> <key> [--json]  answer a waiting worker's question with the key of one of
                                  its choices (y, n, 1, enter…), read off its screen; sent only if
                                  the screen still asks the same (exit 1 if not, or if it asks
                                  nothing; exit 2 for a key that is not a choice)
  muxctl attach <worker>          attach to a worker's terminal (Ctrl-Q or tmux's detach returns)
  muxctl restart <worker>         restart through the checkpoint guard (a done task never runs again,
                                  uncommitted work is kept); --reset --confirm <worker> starts over
                                  from the base after a backup ref
  muxctl demo                     open the dashboard on a scratch demo project with demo workers
  muxctl task add "title" [--lane L] [--priority 0-9] [--label x] [--check CMD] [--after T1,T2]
                                  queue a task (routing rules choose the lane when none is given)
  muxctl task chain add FILE      add a chain of steps (YAML/JSON: name, steps), each waiting on the last
  muxctl task propose "title" [--prompt P] [--lane L]
                                  inside a worker: suggest a task; it waits as proposed until a person
                                  runs muxctl task accept T9 (or a lane in tasks.acceptProposals takes it)
  muxctl task list|show|assign|reassign|retry|cancel|priority|after|accept …
  muxctl task done|fail|block|claim|start|checkpoint|renew …
                                  inside a worker: act on its own task only
  muxctl events [--follow] [--json] [--since 24h] [--about T3|w1]
  muxctl report [--since 24h]     what happened: done, failed, restarts and why, time and cost
  muxctl export                   write .muxctl/HANDOFF_LIVE.md and .muxctl/task_queue.json
  muxctl dispatch pause|resume    stop or restart handing queued tasks to idle workers
  muxctl land [task…]             land done tasks on the base branch: merge, check, fast-forward
  muxctl doctor [--fix N] [--json]  where the record and the world disagree, with safe fixes
  muxctl send <worker> "text"     type a message into the worker's agent at its prompt (confirmed on its
                                  screen); a busy one gets it when it is next at its prompt (a running
                                  dashboard delivers); --lane L or --all for many; --now refuses instead
  muxctl emit <kind> [text…]      inside a worker: tell muxctl heartbeat | status <text> |
                                  progress [--percent N] [--step S] | checkpoint [--sha C] [--step S]

Options:
  --config PATH                   the config file (default: ./sessions.json, or $MUXCTL_CONFIG)
  --reason TEXT                   why (recorded with up, down, restart and worker add|remove)
  --no-redact                     show secrets in logs as written (masked by default)
  -h, --help                      this help
  -v, --version                   muxctl's version

Every start, stop and restart is recorded with its reason in .muxctl/state.db (muxctl events prints them).
`;
