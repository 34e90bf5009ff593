Hello World for the unfold tests
Cell 1 holds the letters of Hello and World in turn; cell 2 the space and the bang; cell 3 the newline

Cell 1 gets 8 times 9 which is H
++++++++[>+++++++++<-]>.
e l l o
+++++++++++++++++++++++++++++.+++++++..+++.
a space in cell 2 from 4 times 8 with cell 0 counting
<++++[>>++++++++<<-]>>.
W o r l d in cell 1
<------------------------.++++++++++++++++++++++++.+++.------.--------.
the bang in cell 2 and the newline in cell 3
>+.>++++++++++.
