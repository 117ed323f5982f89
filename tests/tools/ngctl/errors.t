## Bad input: each case gets a clear error and its exit status (EX_USAGE 64,
## EX_NOINPUT 66, EX_OSERR 71), and a command file stops at its first error.
$ ngctl -n e1 nosuchcmd
! ngctl: "nosuchcmd": unknown command
[rc 71]
$ ngctl -n e2 d
! ngctl: "d": ambiguous command
[rc 71]
$ ngctl -n e3 show nosuch:
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e4 show
! ngctl: usage: show [-n] <path>
[rc 64]
$ ngctl -n e5 list -x
! ngctl: usage: list [-ln]
[rc 64]
$ ngctl -n e6 list extra
! ngctl: usage: list [-ln]
[rc 64]
$ ngctl -n e7 rmhook nohook
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e8 write nohook 1 2
! ngctl: writing to hook "nohook": No route to host
[rc 71]
$ ngctl -n e9 write nohook 1 zz
! ngctl: invalid byte "zz"
[rc 71]
$ ngctl -n e10 write nohook 256
! ngctl: invalid byte "256"
[rc 71]
$ ngctl -n e11 write nohook -f @TMP@/missing
! ngctl: can't read file "@TMP@/missing": No such file or directory
[rc 71]
$ mkfile @TMP@/empty 0
$ ngctl -n e12 write nohook -f @TMP@/empty
! ngctl: file "@TMP@/empty" is empty
[rc 71]
$ mkfile @TMP@/big 65537
$ ngctl -n e13 write nohook -f @TMP@/big
! ngctl: file "@TMP@/big" is larger than a packet (65536 bytes)
[rc 71]
$ ngctl -n e14 write nohook
! ngctl: usage: write hook < -f file | byte ... >
[rc 64]
$ ngctl -n e15 msg .: nosuchcmd
! ngctl: send msg: Function not implemented
[rc 71]
$ ngctl -n e16 msg nosuch: nodeinfo
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e17 -f -
> mkpeer . hole h in
> msg h getstats "nohook"
! ngctl: send msg: No such file or directory
! ngctl: line 2: error in file
[rc 71]
$ ngctl -n e18 -f -
> mkpeer . tee t left
> msg t getstats { bad
! ngctl: send msg: Invalid argument
! ngctl: line 2: error in file
[rc 71]
$ ngctl -n e19 -f -
> mkpeer . hole h in
> msg h getstats "unterminated
! ngctl: send msg: Invalid argument
! ngctl: line 2: error in file
[rc 71]
$ ngctl -n e20 mkpeer . nosuchtype a b
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e21 mkpeer . tee a-hook-name-that-is-far-too-long-for-netgraph left
! ngctl: hook "a-hook-name-that-is-far-too-long-for-netgraph" is too long (at most 31 characters)
[rc 71]
$ ngctl -n e22 name . a-node-name-that-is-far-too-long-for-netgraph
! ngctl: name "a-node-name-that-is-far-too-long-for-netgraph" is too long (at most 31 characters)
[rc 71]
$ ngctl -n e23 -f -
> mkpeer . hole h in
> name h taken
> mkpeer taken: hole keep keep
> name . taken
! ngctl: send msg: Address already in use
! ngctl: line 4: error in file
[rc 71]
$ ngctl -n taken debug
! ngctl: can't create node: Address already in use
[rc 71]
$ ngctl -n e24 connect . nosuch: a b
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e25 shutdown nosuch:
! ngctl: shutdown: No such file or directory
[rc 71]
$ ngctl -n e26 dot a b
! ngctl: usage: dot [outputfile]
[rc 64]
$ ngctl -n e27 status nosuch:
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e28 config nosuch:
! ngctl: send msg: No such file or directory
[rc 71]
$ ngctl -n e29 -f @TMP@/missing
! ngctl: @TMP@/missing: No such file or directory
[rc 66]
$ ngctl -n e30 read @TMP@/missing
! ngctl: @TMP@/missing: No such file or directory
[rc 71]
$ putfile @TMP@/self read @TMP@/self
$ ngctl -n e35 read @TMP@/self
! ngctl: files read each other more than 16 deep
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
! ngctl: line 1: error in file
[rc 71]
$ ngctl -n e31 -f -
> # a comment, then a blank line
>
> debug
> show nosuch:
> debug
Current debug level is 0
! ngctl: send msg: No such file or directory
! ngctl: line 4: error in file
[rc 71]
$ ngctl --bogus
! ngctl: unrecognized option '--bogus'
! usage: ngctl [-d] [-f filename] [-n nodename] [--socket path] [command [argument ...]]
[rc 64]
$ ngctl -n e32
! ngctl: no command specified
! usage: ngctl [-d] [-f filename] [-n nodename] [--socket path] [command [argument ...]]
[rc 64]
$ ngctl --socket @TMP@/nosock list
! ngctl: can't create node: No such file or directory
[rc 71]
$ ngctl -n a-node-name-that-is-far-too-long-for-netgraph list
! ngctl: node name "a-node-name-that-is-far-too-long-for-netgraph" is too long (at most 31 characters)
[rc 64]
$ ngctl -n e33 msg
! ngctl: usage: msg path command [args ... ]
[rc 64]
$ ngctl -n e34 mkpeer . tee
! ngctl: usage: mkpeer [path] <type> <hook> <peerhook>
[rc 64]
