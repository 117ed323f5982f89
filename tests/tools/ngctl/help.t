## help (?) and debug: the command summary, one command's help, aliases.
$ ngctl -n h1 help
Available commands:
  config     get or set configuration of node at <path>
  connect    Connects hook <peerhook> of the node at <relpath> to <hook>
  debug      Get/set debugging verbosity level
  dot        Produce a GraphViz (.dot) of the entire netgraph.
  help       Show command summary or get more help on a specific command
  list       Show information about all nodes
  mkpeer     Create and connect a new node to the node at "path"
  msg        Send a netgraph control message to the node at "path"
  name       Assign name <name> to the node at <path>
  read       Read and execute commands from a file
  rmhook     Disconnect hook "hook" of the node at "path"
  show       Show information about the node at <path>
  shutdown   Shutdown the node at <path>
  status     Get human readable status information from the node at <path>
  types      Show information about all installed node types
  write      Send a data packet down the hook named by "hook".
  quit       Exit program
$ ngctl -n h2 help list
usage:    list [-ln]
Aliases:  ls
Summary:  Show information about all nodes
Description:
  The list command shows information about every node that
  currently exists in the netgraph system. The optional -n
  argument limits this list to only those nodes with a global
  name assignment. The optional -l argument provides verbose
  output that includes hook information as well.
$ ngctl -n h3 ? w
usage:    write hook < -f file | byte ... >
Aliases:  w
Summary:  Send a data packet down the hook named by "hook".
Description:
  The data may be contained in a file, or may be described
  directly on the command line by supplying a sequence of bytes.
$ ngctl -n h4 help conn
usage:    connect [path] <relpath> <hook> <peerhook>
Aliases:  join
Summary:  Connects hook <peerhook> of the node at <relpath> to <hook>
Description:
  The connect command creates a link between the two nodes at
  "path" and "relpath" using hooks "hook" and "peerhook",
  respectively. The "relpath", if not absolute, is specified
  relative to the node at "path". If "path" is omitted then "."
  is assumed.
$ ngctl -n h5 help nosuch
! ngctl: "nosuch": unknown command
[rc 71]
$ ngctl -n h6 help list show
! ngctl: usage: help [command]
[rc 64]
$ ngctl -n h7 -f -
> debug
> debug 2
> debug
> debug -
> debug
> debug 0
> debug +
> debug
Current debug level is 0
Current debug level is 2
Current debug level is 1
Current debug level is 1
$ ngctl -n h8 debug x
! ngctl: usage: debug [level]
[rc 64]
$ ngctl -n h9 quit now
! ngctl: usage: quit
[rc 64]
$ ngctl -n h10 -d -d debug
Current debug level is 2
! ngctl: NgMkSockNode: node [a]: named "h10", cs 4, ds 5
