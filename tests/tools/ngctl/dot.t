## The graph in GraphViz form (dot, graphviz, confdot), to stdout and to a
## file; the graph is docs/img/example.dot, which must be what it prints.
$ ngctl -n ngctl -f -
> mkpeer . tee t left
> name t tee0
> mkpeer tee0: hole right in
> name tee0:right sink
> mkpeer tee0: echo left2right e
> name tee0:left2right mirror
> mkpeer . hub spare x
> msg spare setpersistent
> rmhook spare
> dot
> graphviz @TMP@/g.dot
graph netgraph {
	edge [ weight = 1.0 ];
	node [ shape = record, fontsize = 12 ] {
		"5" [ label = "{\<unnamed\>:|{hub|[5]:}}" ];
		"4" [ label = "{mirror:|{echo|[4]:}}" ];
		"3" [ label = "{sink:|{hole|[3]:}}" ];
		"2" [ label = "{tee0:|{tee|[2]:}}" ];
		"1" [ label = "{ngctl:|{socket|[1]:}}" ];
	};
	subgraph cluster_disconnected {
		bgcolor = pink;
		"5";
	};
	node [ shape = octagon, fontsize = 10 ] {
		"4.e" [ label = "e" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"4" -- "4.e";
	};
	"4.e" -- "2.left2right";
	node [ shape = octagon, fontsize = 10 ] {
		"3.in" [ label = "in" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"3" -- "3.in";
	};
	"3.in" -- "2.right";
	node [ shape = octagon, fontsize = 10 ] {
		"2.left2right" [ label = "left2right" ];
		"2.right" [ label = "right" ];
		"2.left" [ label = "left" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"2" -- "2.left2right";
		"2" -- "2.right";
		"2" -- "2.left";
	};
	"2.left" -- "1.t";
	node [ shape = octagon, fontsize = 10 ] {
		"1.t" [ label = "t" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"1" -- "1.t";
	};
}
$ cat @TMP@/g.dot
graph netgraph {
	edge [ weight = 1.0 ];
	node [ shape = record, fontsize = 12 ] {
		"5" [ label = "{\<unnamed\>:|{hub|[5]:}}" ];
		"4" [ label = "{mirror:|{echo|[4]:}}" ];
		"3" [ label = "{sink:|{hole|[3]:}}" ];
		"2" [ label = "{tee0:|{tee|[2]:}}" ];
		"1" [ label = "{ngctl:|{socket|[1]:}}" ];
	};
	subgraph cluster_disconnected {
		bgcolor = pink;
		"5";
	};
	node [ shape = octagon, fontsize = 10 ] {
		"4.e" [ label = "e" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"4" -- "4.e";
	};
	"4.e" -- "2.left2right";
	node [ shape = octagon, fontsize = 10 ] {
		"3.in" [ label = "in" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"3" -- "3.in";
	};
	"3.in" -- "2.right";
	node [ shape = octagon, fontsize = 10 ] {
		"2.left2right" [ label = "left2right" ];
		"2.right" [ label = "right" ];
		"2.left" [ label = "left" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"2" -- "2.left2right";
		"2" -- "2.right";
		"2" -- "2.left";
	};
	"2.left" -- "1.t";
	node [ shape = octagon, fontsize = 10 ] {
		"1.t" [ label = "t" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"1" -- "1.t";
	};
}
$ dotcheck @TMP@/g.dot
$ cat @SRC@/../../../docs/img/example.dot
graph netgraph {
	edge [ weight = 1.0 ];
	node [ shape = record, fontsize = 12 ] {
		"5" [ label = "{\<unnamed\>:|{hub|[5]:}}" ];
		"4" [ label = "{mirror:|{echo|[4]:}}" ];
		"3" [ label = "{sink:|{hole|[3]:}}" ];
		"2" [ label = "{tee0:|{tee|[2]:}}" ];
		"1" [ label = "{ngctl:|{socket|[1]:}}" ];
	};
	subgraph cluster_disconnected {
		bgcolor = pink;
		"5";
	};
	node [ shape = octagon, fontsize = 10 ] {
		"4.e" [ label = "e" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"4" -- "4.e";
	};
	"4.e" -- "2.left2right";
	node [ shape = octagon, fontsize = 10 ] {
		"3.in" [ label = "in" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"3" -- "3.in";
	};
	"3.in" -- "2.right";
	node [ shape = octagon, fontsize = 10 ] {
		"2.left2right" [ label = "left2right" ];
		"2.right" [ label = "right" ];
		"2.left" [ label = "left" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"2" -- "2.left2right";
		"2" -- "2.right";
		"2" -- "2.left";
	};
	"2.left" -- "1.t";
	node [ shape = octagon, fontsize = 10 ] {
		"1.t" [ label = "t" ];
	};
	{
		edge [ weight = 2.0, style = bold ];
		"1" -- "1.t";
	};
}
