## Build a graph in one ngctl session (one socket node, so the listings are
## exact): mkpeer, connect (join), name, list (ls) [-ln], show (info) [-n],
## types, rmhook (disconnect), shutdown (kill).
$ ngctl -n ctl -f -
> mkpeer . tee t left
> name t tee0
> mkpeer tee0: hole right in
> name tee0:right sink
> mkpeer tee0: echo left2right e
> name tee0:left2right mirror
> join mirror: sink: x y
> list
> ls -n
> list -l
> show tee0:
> info -n sink:
> show .
> types
> rmhook tee0: left2right
> show mirror:
> kill mirror:
> disconnect t
> list
There are 4 total nodes:
  Name: mirror          Type: echo            ID: 00000004   Num hooks: 2
  Name: sink            Type: hole            ID: 00000003   Num hooks: 2
  Name: tee0            Type: tee             ID: 00000002   Num hooks: 3
  Name: ctl             Type: socket          ID: 00000001   Num hooks: 1
There are 4 total named nodes:
  Name: mirror          Type: echo            ID: 00000004   Num hooks: 2
  Name: sink            Type: hole            ID: 00000003   Num hooks: 2
  Name: tee0            Type: tee             ID: 00000002   Num hooks: 3
  Name: ctl             Type: socket          ID: 00000001   Num hooks: 1
There are 4 total nodes:
  Name: mirror          Type: echo            ID: 00000004   Num hooks: 2
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  x               sink            hole         00000003        y              
  e               tee0            tee          00000002        left2right     
  Name: sink            Type: hole            ID: 00000003   Num hooks: 2
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  y               mirror          echo         00000004        x              
  in              tee0            tee          00000002        right          
  Name: tee0            Type: tee             ID: 00000002   Num hooks: 3
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  left2right      mirror          echo         00000004        e              
  right           sink            hole         00000003        in             
  left            ctl             socket       00000001        t              
  Name: ctl             Type: socket          ID: 00000001   Num hooks: 1
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  t               tee0            tee          00000002        left           
  Name: tee0            Type: tee             ID: 00000002   Num hooks: 3
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  left2right      mirror          echo         00000004        e              
  right           sink            hole         00000003        in             
  left            ctl             socket       00000001        t              
  Name: sink            Type: hole            ID: 00000003   Num hooks: 2
  Name: ctl             Type: socket          ID: 00000001   Num hooks: 1
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  t               tee0            tee          00000002        left           
There are 23 total types:
      Type name   Number of living nodes
      ---------   ----------------------
         socket       1
         eiface       0
          ether       0
         bridge       0
           pcap       0
        ksocket       0
           pipe       0
          patch       0
         source       0
         tcpmss       0
            bpf       0
            car       0
            tag       0
      macfilter       0
            etf       0
           vlan       0
     ether_echo       0
          split       0
            hub       0
       one2many       0
            tee       1
           echo       1
           hole       1
  Name: mirror          Type: echo            ID: 00000004   Num hooks: 1
  Local hook      Peer name       Peer type    Peer ID         Peer hook      
  ----------      ---------       ---------    -------         ---------      
  x               sink            hole         00000003        y              
There are 3 total nodes:
  Name: sink            Type: hole            ID: 00000003   Num hooks: 1
  Name: tee0            Type: tee             ID: 00000002   Num hooks: 1
  Name: ctl             Type: socket          ID: 00000001   Num hooks: 0
