OPENQASM 2.0;
include "qelib1.inc";
// GHZ state on 8 qubits, measured: small enough for `dqc estimate --simulate`
qreg q[8];
creg c[8];
h q[0];
cx q[0],q[1];
cx q[1],q[2];
cx q[2],q[3];
cx q[3],q[4];
cx q[4],q[5];
cx q[5],q[6];
cx q[6],q[7];
measure q -> c;
