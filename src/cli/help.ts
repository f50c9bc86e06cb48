/** The text of `muxctl --help`. */
export const HELP = `muxctl — run many AI coding agents in tmux sessions and git worktrees, and see the truth about each.

Usage:
  muxctl                          open the dashboard (without a terminal: print the status table)
  muxctl up [worker…]             start workers (all when none named); running ones are left alone
  muxctl down [worker…]           stop workers gracefully; their worktrees are kept
        --remove                  also remove the worktrees — refused when one holds uncommitted
                                  changes or commits not on the base branch
        --force                   with --remove: remove anyway, after saving a backup ref
  muxctl status [--json]          print every worker's state and the evidence for it
  muxctl attach <worker>          attach to a worker's terminal (Ctrl-Q or tmux's detach returns)
  muxctl restart <worker>         restart a worker's command in place (the worktree is kept)
  muxctl demo                     open the dashboard on a scratch demo project with demo workers
  muxctl emit <kind> [text…]      inside a worker: tell muxctl heartbeat | status <text> |
                                  progress [--percent N] [--step S] | checkpoint [--sha C] [--step S]

Options:
  --config PATH                   the config file (default: ./sessions.json, or $MUXCTL_CONFIG)
  --reason TEXT                   why (recorded with up, down and restart)
  --no-redact                     show secrets in logs as written (masked by default)
  -h, --help                      this help
  -v, --version                   muxctl's version

Every start, stop and restart is recorded with its reason in .muxctl/state.db (muxctl events prints them).
`;
