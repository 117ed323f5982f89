## One command given on the command line (FreeBSD's `ngctl list`), run
## against an empty graph: only ngctl's own node is there.
$ ngctl -n c1 list
There are 1 total nodes:
  Name: c1              Type: socket          ID: 00000001   Num hooks: 0
$ ngctl -n c2 show .
  Name: c2              Type: socket          ID: 00000002   Num hooks: 0
$ ngctl -n c3 msg . nodeinfo
Rec'd response "nodeinfo" (805306374) from "[3]:":
Args:	{ name="c3" type="socket" id=0x3 }
