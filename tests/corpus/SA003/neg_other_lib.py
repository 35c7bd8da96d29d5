from myorm import relationship


class Node:
    parent = relationship("Node")
