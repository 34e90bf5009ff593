Print hi and a newline then step left of the first cell: a guest error after the output
++++++++++[>++++++++++<-]>++++.+.[-]++++++++++.
<<
