"""kubesim's kubelets: the node agent that runs (or pretends to run) pods.

`base.Kubelet` is the interface the REST server and the controllers use;
`virtual.VirtualKubelet` (part 1, kwok-like) and the process kubelet (part 2)
implement it.
"""
