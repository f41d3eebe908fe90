// Generic AXI4-Stream co-simulation driver for lowbitc designs.
//
// Built by lowbitc.backends.sim.verilator with `--prefix Vdut`, so it works for
// any top with ports clk, rst, in_tdata, in_tvalid, in_tready, out_tdata,
// out_tvalid, out_tready. Port widths are taken from the Verilated types
// (CData/SData/IData/QData or VlWide<N>) through overloads, so the same source
// serves every design and the binary needs no width constants.
//
// usage: sim IN_HEX OUT_TXT N_EXPECTED STALL_IN STALL_OUT SEED TIMEOUT TAIL
//            [+verilator+... plusargs]
//   IN_HEX   one input beat per line, hexadecimal, no prefix
//   OUT_TXT  written: "I <cycle>" per input handshake, "O <cycle> <hex>" per
//            output handshake, "T <cycles>" on success, "E <msg>" on failure
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
// synchronisers in generated designs settle too.
constexpr int kResetCycles = 4;

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

}  // namespace

int main(int argc, char** argv) {
    if (argc < 9) {
        std::fprintf(stderr,
                     "usage: %s IN_HEX OUT_TXT N_EXPECTED STALL_IN STALL_OUT SEED TIMEOUT TAIL\n",
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

    std::vector<Words> inputs;
    {
        std::ifstream f(in_path);
        if (!f) fail(2, "cannot open " + in_path);
        std::string line;
        while (std::getline(f, line))
            if (line.find_first_not_of(" \t\r") != std::string::npos) inputs.push_back(parse_hex(line));
    }

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

    // Each iteration is one clock cycle: inputs change while clk is low (the
    // "falling edge"), eval settles combinational logic, the handshakes are
    // sampled exactly as the rising edge will see them, then the edge is
    // applied.
    for (;; ++cycle) {
        if (!presenting && next_in < inputs.size() && !rng.chance(stall_in)) {
            presenting = true;
            put(dut->in_tdata, inputs[next_in]);
        }
        dut->in_tvalid = presenting;
        const bool done = n_out >= n_expected;
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
        if (out_pending) {
            if (!ovalid)
                fail(2, "cycle " + std::to_string(cycle) +
                            ": out_tvalid dropped before the beat was accepted");
            if (odata != out_held)
                fail(2, "cycle " + std::to_string(cycle) +
                            ": out_tdata changed while waiting for out_tready");
        }

        const bool in_fire = presenting && dut->in_tready;
        const bool out_fire = ovalid && ready;
        if (in_fire) {
            std::fprintf(g_out, "I %" PRIu64 "\n", cycle);
            ++next_in;
            presenting = false;
        }
        if (out_fire) {
            if (done)
                fail(2, "cycle " + std::to_string(cycle) + ": output beat " +
                            std::to_string(n_out + 1) + " but only " +
                            std::to_string(n_expected) + " expected");
            std::fprintf(g_out, "O %" PRIu64 " %s\n", cycle, to_hex(odata).c_str());
            ++n_out;
            total = cycle + 1;
        }
        out_pending = ovalid && !ready;
        out_held = odata;
        if (in_fire || out_fire) last_hs = cycle;

        if (done) {
            if (tail_left-- == 0) break;
        } else if (cycle - last_hs >= timeout) {
            fail(3, "timeout: no handshake for " + std::to_string(timeout) + " cycles at cycle " +
                        std::to_string(cycle) + " (" + std::to_string(next_in) + "/" +
                        std::to_string(inputs.size()) + " inputs accepted, " +
                        std::to_string(n_out) + "/" + std::to_string(n_expected) +
                        " outputs received)");
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
