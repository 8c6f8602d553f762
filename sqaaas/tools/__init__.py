"""Static analysis tools (linters, SAST, complexity) described as data in criteria/tools.yml."""
