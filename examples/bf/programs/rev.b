Read all of standard input then write it backwards
Cell 0 stays 0 as a left end marker
>,[>,]<[.<]
