// Generic AXI4-Stream co-simulation driver for lowbitc designs.
//
// Built by lowbitc.backends.runtime.sim.verilator with `--prefix Vdut`, so it works for
// any top with ports clk, rst, in_tdata, in_tvalid, in_tready, out_tdata,
// out_tvalid, out_tready. Port widths are taken from the Verilated types
// (CData/SData/IData/QData or VlWide<N>) through overloads, so the same source
// serves every design and the binary needs no width constants.
//
// usage: sim IN_HEX OUT_TXT N_EXPECTED STALL_IN STALL_OUT SEED TIMEOUT TAIL
//            [reset_after=R [reset_cycles=K]] [idle_every=N idle_cycles=M]
//            [+verilator+... plusargs]
//   IN_HEX   one input beat per line, hexadecimal, no prefix
//   OUT_TXT  written: "I <cycle>" per input handshake, "O <cycle> <hex>" per
//            output handshake, "R <cycle> <inputs> <outputs> <pending>" when
//            a mid-run reset starts (pending: an output beat was waiting for
//            out_tready), "T <cycles>" on success, "E <msg>" on failure
//   reset_after=R (R >= 1): once R input beats have been accepted, rst is
//            asserted K cycles long (reset_cycles=K >= 1, default
//            kResetCycles), starting 1 to kMaxResetDelay cycles later (drawn
//            from SEED; inputs and outputs keep flowing, with their stalls,
//            until then). Every handshake before the reset is void: the run
//            restarts from the first input beat and expects N_EXPECTED
//            outputs after it. Happens once per run.
//   idle_every=N idle_cycles=M: after every N-th accepted input beat (counted
//            from the first beat of the current pass; not after the last
//            beat) in_tvalid stays low for M cycles. Cycles of such a gap do
//            not count towards TIMEOUT, so a drained pipeline waiting for
//            input is not taken for a deadlock. A mid-run reset ends a gap.
// exit status: 0 ok, 2 protocol/usage error, 3 timeout (no handshake)

#include "Vdut.h"
#include "verilated.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using Words = std::vector<uint32_t>;  // little-endian 32-bit words

// Verilator resets for a few cycles; more than one so multi-stage reset
// synchronisers in generated designs settle too. A mid-run reset is as long
// unless reset_cycles says otherwise.
constexpr int kResetCycles = 4;
// A mid-run reset lands up to this many cycles after its trigger, so that it
// meets the design at varied points of its computation.
constexpr uint64_t kMaxResetDelay = 64;

Words parse_hex(const std::string& line) {
    Words w;
    uint32_t cur = 0;
    int nib = 0;
    for (auto it = line.rbegin(); it != line.rend(); ++it) {
        const char c = *it;
        uint32_t v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;  // tolerate whitespace / CR
        cur |= v << (4 * nib);
        if (++nib == 8) {
            w.push_back(cur);
            cur = 0;
            nib = 0;
        }
    }
    if (nib) w.push_back(cur);
    return w;
}

std::string to_hex(const Words& w) {
    std::string s;
    char buf[9];
    for (auto it = w.rbegin(); it != w.rend(); ++it) {
        std::snprintf(buf, sizeof buf, "%08" PRIx32, *it);
        s += buf;
    }
    return s.empty() ? "0" : s;
}

// Narrow ports (<= 64 bits) are plain integers.
template <class T>
void put(T& port, const Words& w) {
    uint64_t v = 0;
    for (size_t i = 0; i < w.size() && i < 2; ++i) v |= static_cast<uint64_t>(w[i]) << (32 * i);
    port = static_cast<T>(v);
}
template <class T>
Words get(const T& port) {
    const uint64_t v = port;
    return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)};
}

// Wide ports (> 64 bits) are VlWide<N> arrays of 32-bit words.
template <std::size_t N>
void put(VlWide<N>& port, const Words& w) {
    for (std::size_t i = 0; i < N; ++i) port.at(i) = i < w.size() ? w[i] : 0;
}
template <std::size_t N>
Words get(const VlWide<N>& port) {
    Words w(N);
    for (std::size_t i = 0; i < N; ++i) w[i] = port.at(i);
    return w;
}

// splitmix64: tiny, seedable and identical on every platform, so a given
// seed always produces the same stall pattern.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    bool chance(double p) { return p > 0.0 && static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
};

FILE* g_out = nullptr;

[[noreturn]] void fail(int code, const std::string& msg) {
    if (g_out) {
        std::fprintf(g_out, "E %s\n", msg.c_str());
        std::fclose(g_out);
    }
    std::fprintf(stderr, "tb_axis: %s\n", msg.c_str());
    std::exit(code);
}

// Optional KEY=VALUE arguments after TAIL (see the header); all default to off.
struct Options {
    uint64_t reset_after = 0;
    uint64_t reset_cycles = kResetCycles;
    uint64_t idle_every = 0;
    uint64_t idle_cycles = 0;
};

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 9; i < argc; ++i) {
        const std::string arg = argv[i];
        if (!arg.empty() && arg[0] == '+') continue;  // Verilator plusarg
        const size_t eq = arg.find('=');
        const std::string key = arg.substr(0, eq);
        char* end = nullptr;
        const uint64_t v = eq == std::string::npos ? 0 : std::strtoull(arg.c_str() + eq + 1, &end, 10);
        if (eq == std::string::npos || eq + 1 == arg.size() || *end != '\0')
            fail(2, "bad option " + arg + " (expected KEY=<decimal>)");
        if (key == "reset_after") o.reset_after = v;
        else if (key == "reset_cycles") o.reset_cycles = v;
        else if (key == "idle_every") o.idle_every = v;
        else if (key == "idle_cycles") o.idle_cycles = v;
        else fail(2, "unknown option " + arg);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 9) {
        std::fprintf(stderr,
                     "usage: %s IN_HEX OUT_TXT N_EXPECTED STALL_IN STALL_OUT SEED TIMEOUT TAIL "
                     "[reset_after=R [reset_cycles=K]] [idle_every=N idle_cycles=M]\n",
                     argv[0]);
        return 2;
    }
    const std::string in_path = argv[1];
    g_out = std::fopen(argv[2], "w");
    if (!g_out) fail(2, std::string("cannot open ") + argv[2]);
    const uint64_t n_expected = std::strtoull(argv[3], nullptr, 10);
    const double stall_in = std::strtod(argv[4], nullptr);
    const double stall_out = std::strtod(argv[5], nullptr);
    Rng rng{std::strtoull(argv[6], nullptr, 10)};
    const uint64_t timeout = std::strtoull(argv[7], nullptr, 10);
    const uint64_t tail = std::strtoull(argv[8], nullptr, 10);
    const Options opt = parse_options(argc, argv);

    std::vector<Words> inputs;
    {
        std::ifstream f(in_path);
        if (!f) fail(2, "cannot open " + in_path);
        std::string line;
        while (std::getline(f, line))
            if (line.find_first_not_of(" \t\r") != std::string::npos) inputs.push_back(parse_hex(line));
    }
    if (opt.reset_cycles < 1) fail(2, "reset_cycles must be at least 1");
    if (opt.reset_after > inputs.size())
        fail(2, "reset_after=" + std::to_string(opt.reset_after) + " but only " +
                    std::to_string(inputs.size()) + " input beats");

    const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    ctx->commandArgs(argc, argv);  // honours +verilator+rand+reset etc.
    const std::unique_ptr<Vdut> dut{new Vdut{ctx.get()}};

    dut->clk = 0;
    dut->rst = 1;
    dut->in_tvalid = 0;
    dut->out_tready = 0;
    put(dut->in_tdata, Words{});
    for (int i = 0; i < kResetCycles; ++i) {
        dut->eval();
        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
    }
    dut->rst = 0;

    size_t next_in = 0;
    bool presenting = false;  // in_tvalid is high with inputs[next_in]
    uint64_t n_out = 0, cycle = 0, last_hs = 0, tail_left = tail, total = 0;
    bool out_pending = false;  // out_tvalid was high without a handshake
    Words out_held;
    uint64_t idle_left = 0;    // cycles of the current idle gap still to come
    // Mid-run reset: armed once reset_after inputs were taken, fires at
    // reset_at, then rst is high for reset_left more cycles.
    bool reset_armed = false, reset_done = opt.reset_after == 0;
    uint64_t reset_at = 0, reset_left = 0;

    // Each iteration is one clock cycle: inputs change while clk is low (the
    // "falling edge"), eval settles combinational logic, the handshakes are
    // sampled exactly as the rising edge will see them, then the edge is
    // applied.
    for (;; ++cycle) {
        if (reset_armed && cycle == reset_at) {
            // Everything so far is void; the design must come out of reset
            // as if it had never run. Dropping a pending input beat is what
            // an AXI4-Stream master does in reset.
            std::fprintf(g_out, "R %" PRIu64 " %zu %" PRIu64 " %d\n", cycle, next_in, n_out,
                         static_cast<int>(out_pending));
            reset_armed = false;
            reset_done = true;
            reset_left = opt.reset_cycles;
            next_in = 0;
            n_out = 0;
            presenting = false;
            out_pending = false;
            idle_left = 0;
        }
        const bool in_reset = reset_left > 0;
        dut->rst = in_reset;
        const bool idle = idle_left > 0;
        if (!in_reset && !idle && !presenting && next_in < inputs.size() && !rng.chance(stall_in)) {
            presenting = true;
            put(dut->in_tdata, inputs[next_in]);
        }
        dut->in_tvalid = presenting;
        const bool done = reset_done && n_out >= n_expected;
        const bool ready = done || !rng.chance(stall_out);
        dut->out_tready = ready;
        dut->eval();

        // AXI: out_tvalid must not depend combinationally on out_tready.
        const bool ovalid = dut->out_tvalid;
        const Words odata = get(dut->out_tdata);
        dut->out_tready = !ready;
        dut->eval();
        if (static_cast<bool>(dut->out_tvalid) != ovalid || get(dut->out_tdata) != odata)
            fail(2, "cycle " + std::to_string(cycle) +
                        ": out_tvalid/out_tdata depends combinationally on out_tready");
        dut->out_tready = ready;
        dut->eval();

        // AXI: once offered, a beat must stay valid and stable until taken.
        // (A reset withdraws it legitimately; out_pending is cleared then.)
        if (out_pending) {
            if (!ovalid)
                fail(2, "cycle " + std::to_string(cycle) +
                            ": out_tvalid dropped before the beat was accepted");
            if (odata != out_held)
                fail(2, "cycle " + std::to_string(cycle) +
                            ": out_tdata changed while waiting for out_tready");
        }

        // Nothing handshakes while rst is high: the design's outputs are
        // being cleared and in_tvalid is low.
        const bool in_fire = presenting && dut->in_tready;
        const bool out_fire = !in_reset && ovalid && ready;
        if (in_fire) {
            std::fprintf(g_out, "I %" PRIu64 "\n", cycle);
            ++next_in;
            presenting = false;
            if (opt.idle_every && next_in % opt.idle_every == 0 && next_in < inputs.size())
                idle_left = opt.idle_cycles;
            if (!reset_done && !reset_armed && next_in == opt.reset_after) {
                reset_armed = true;
                reset_at = cycle + 1 + rng.next() % kMaxResetDelay;
            }
        }
        if (out_fire) {
            if (n_out >= n_expected)
                fail(2, "cycle " + std::to_string(cycle) + ": output beat " +
                            std::to_string(n_out + 1) + " but only " +
                            std::to_string(n_expected) + " expected");
            std::fprintf(g_out, "O %" PRIu64 " %s\n", cycle, to_hex(odata).c_str());
            ++n_out;
            total = cycle + 1;
        }
        out_pending = !in_reset && ovalid && !ready;
        out_held = odata;
        // Reset cycles and intentional idle gaps are not a deadlock.
        if (in_fire || out_fire || in_reset || idle) last_hs = cycle;
        if (idle) --idle_left;
        if (in_reset) --reset_left;

        if (done) {
            if (tail_left-- == 0) break;
        } else if (cycle - last_hs >= timeout) {
            fail(3, "timeout: no handshake for " + std::to_string(timeout) + " cycles at cycle " +
                        std::to_string(cycle) + " (" + std::to_string(next_in) + "/" +
                        std::to_string(inputs.size()) + " inputs accepted, " +
                        std::to_string(n_out) + "/" + std::to_string(n_expected) +
                        " outputs received" + (reset_done && opt.reset_after ? ", after the mid-run reset" : "") +
                        ")");
        }

        dut->clk = 1;
        dut->eval();
        dut->clk = 0;
    }

    dut->final();
    std::fprintf(g_out, "T %" PRIu64 "\n", total);
    std::fclose(g_out);
    return 0;
}
