"""Print the Verilog syntax tree; nothing here decides anything."""

from __future__ import annotations

from lowbitc.backends.verilog.vast import Assign, Comment, Instance, Module, Port, Wire


def _range(width: int) -> str:
    return f"[{width - 1}:0] " if width > 1 else ""


def print_port(p: Port) -> str:
    kind = "input  wire" if p.direction == "input" else "output wire"
    return f"    {kind} {_range(p.width)}{p.name}"


def print_module(m: Module) -> str:
    lines = [f"module {m.name} ("]
    lines.append(",\n".join(print_port(p) for p in m.ports))
    lines.append(");")
    for item in m.items:
        if isinstance(item, Comment):
            lines.append(f"  // {item.text}")
        elif isinstance(item, Wire):
            lines.append(f"  wire {_range(item.width)}{item.name};")
        elif isinstance(item, Assign):
            lines.append(f"  assign {item.target} = {item.expr};")
        elif isinstance(item, Instance):
            params = ""
            if item.params:
                params = " #(\n" + ",\n".join(f"    .{n}({v})" for n, v in item.params) + "\n  )"
            conns = ",\n".join(f"    .{n}({v})" for n, v in item.connections)
            lines.append(f"  {item.module}{params} {item.name} (\n{conns}\n  );")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"
