// The self-containment check passes when every generated translation unit
// compiles; the program itself only has to run.
int main() { return 0; }
