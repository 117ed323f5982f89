## Messages in ASCII (msg), status and config, and data (write): a tee
## counts what ngctl writes through it into a hole.
$ ngctl -n ctl -f -
> mkpeer . tee t left
> name t tee0
> mkpeer tee0: hole right in
> msg tee0: getstats
> write t 1 2 3 0x41 -1 0377
> w t -f @SRC@/packet.txt
> msg tee0: getstats
> cmd tee0: getclrstats
> msg tee0: getstats
> msg tee0:right getstats "in"
> msg tee0:right getclrstats "in"
> msg tee0:right getstats "in"
> msg tee0: nodeinfo
> msg . listhooks
> status tee0:
> status tee0:right
> config tee0:
> config tee0: some words
> mkpeer tee0: echo left2right e
> msg tee0:left2right nodeinfo
> status tee0:left2right
> status .
Rec'd response "getstats" (1) from "[2]:":
Args:	{}
Rec'd response "getstats" (1) from "[2]:":
Args:	{ right={ outOctets=12 outFrames=2 } left={ inOctets=12 inFrames=2 } }
Rec'd response "getclrstats" (3) from "[2]:":
Args:	{ right={ outOctets=12 outFrames=2 } left={ inOctets=12 inFrames=2 } }
Rec'd response "getstats" (1) from "[2]:":
Args:	{}
Rec'd response "getstats" (1) from "[3]:":
Args:	{ frames=2 octets=12 }
Rec'd response "getclrstats" (3) from "[3]:":
Args:	{ frames=2 octets=12 }
Rec'd response "getstats" (1) from "[3]:":
Args:	{}
Rec'd response "nodeinfo" (805306374) from "[2]:":
Args:	{ name="tee0" type="tee" id=0x2 hooks=2 }
Rec'd response "listhooks" (805306375) from "[1]:":
Args:	{ nodeinfo={ name="ctl" type="socket" id=0x1 hooks=1 } linkinfo=[ { ourhook="t" peerhook="left" nodeinfo={ name="tee0" type="tee" id=0x2 hooks=2 } } ] }
Status for "tee0:":
right: connected inOctets=0 inFrames=0 outOctets=0 outFrames=0
left: connected inOctets=0 inFrames=0 outOctets=0 outFrames=0
right2left: unconnected inOctets=0 inFrames=0 outOctets=0 outFrames=0
left2right: unconnected inOctets=0 inFrames=0 outOctets=0 outFrames=0

Status for "tee0:right":
in: frames=0 octets=0

No config available for "tee0:"
No config available for "tee0:"
Rec'd response "nodeinfo" (805306374) from "[4]:":
Args:	{ type="echo" id=0x4 hooks=1 }
Status for "tee0:left2right":

No status available for "."
