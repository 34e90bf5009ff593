cat: echo standard input to standard output until end of input (where a read stores 0)
,[.,]
