/* Bit-packed kernels of lowbitc's interpreter, compiled at first use by native.py.

   Packed operands are uint64 words, bit i % 64 of word i / 64 holding element i; padding bits
   past the fan-in are 0 in both operands, so they never count as disagreements.

   Weights come transposed (wT[j * C + c] = word j of row c) so the innermost loop runs over
   channels on contiguous words: GCC vectorises it (vpopcntq where the CPU has it). Each call
   handles a range of rows; native.py splits rows across threads (ctypes releases the GIL) and
   gives each call its own scratch accumulator of `channels` words, so nothing here allocates. */

#include <stdint.h>

/* acc[c] = popcount(xr ^ w[c]) (XNOR lanes count mismatches) or popcount(xr & w[c]) (AND lanes)
   over the row's words. Inlined with a constant `and_lanes`, so each caller gets its own
   vectorised loop. */
static inline void count_row(const uint64_t *restrict xr, const uint64_t *restrict wT, int64_t words,
                             int64_t channels, int and_lanes, uint64_t *restrict acc) {
    for (int64_t c = 0; c < channels; c++) acc[c] = 0;
    for (int64_t j = 0; j < words; j++) {
        const uint64_t xj = xr[j];
        const uint64_t *wr = wT + j * channels;
        if (and_lanes)
            for (int64_t c = 0; c < channels; c++) acc[c] += (uint64_t)__builtin_popcountll(xj & wr[c]);
        else
            for (int64_t c = 0; c < channels; c++) acc[c] += (uint64_t)__builtin_popcountll(xj ^ wr[c]);
    }
}

/* Agreements of x[m] and w[c]: out[m * C + c] = k - popcount(x[m] ^ w[c]). */
void lb_xnor_popcount(const uint64_t *restrict x, const uint64_t *restrict wT, int64_t rows, int64_t words,
                      int64_t channels, int64_t k, int32_t *restrict out, uint64_t *restrict acc) {
    for (int64_t m = 0; m < rows; m++) {
        count_row(x + m * words, wT, words, channels, 0, acc);
        int32_t *o = out + m * channels;
        for (int64_t c = 0; c < channels; c++) o[c] = (int32_t)(k - (int64_t)acc[c]);
    }
}

/* The same agreements compared with one threshold per channel and packed: bit c of row m is
   1 (+1) when agreements >= t[c]. This is the whole binary layer of a matrix-vector unit with a
   bipolar output, without materialising the integer matrix. */
void lb_xnor_threshold_pack(const uint64_t *restrict x, const uint64_t *restrict wT, int64_t rows, int64_t words,
                            int64_t channels, int64_t k, const int64_t *restrict t, uint64_t *restrict out, uint64_t *restrict acc) {
    const int64_t out_words = (channels + 63) / 64;
    for (int64_t m = 0; m < rows; m++) {
        count_row(x + m * words, wT, words, channels, 0, acc);
        uint64_t *o = out + m * out_words;
        for (int64_t w = 0; w < out_words; w++) {  /* branch-free: the bits are data, not control */
            const int64_t c0 = w * 64, n = channels - c0 < 64 ? channels - c0 : 64;
            uint64_t bits = 0;
            for (int64_t b = 0; b < n; b++) bits |= (uint64_t)(k - (int64_t)acc[c0 + b] >= t[c0 + b]) << b;
            o[w] = bits;
        }
    }
}

/* AND-popcounts of packed bits: out[m * C + c] = popcount(x[m] & w[c]) (bit-plane and AND
   lanes: inputs in {0, 1}, weights one plane in {0, 1}). */
void lb_and_popcount(const uint64_t *restrict x, const uint64_t *restrict wT, int64_t rows, int64_t words,
                     int64_t channels, int32_t *restrict out, uint64_t *restrict acc) {
    for (int64_t m = 0; m < rows; m++) {
        count_row(x + m * words, wT, words, channels, 1, acc);
        int32_t *o = out + m * channels;
        for (int64_t c = 0; c < channels; c++) o[c] = (int32_t)acc[c];
    }
}

/* An integer layer with a bipolar output (the first layer: 8-bit pixels, small fan-in): bit c
   of row m is 1 when sum_j x[m, j] * w[c, j] >= t[c]. The inner loop runs over channels
   (vectorised), where float BLAS on a fan-in as short as 27 reaches a few GFLOPS only. One
   body for two integer widths: the caller picks int16 when |x| * |w| * K < 2^15 (an 8-bit
   image against ternary weights: twice the lanes per vector), int32 when it is below 2^31. */
#define INT_THRESHOLD_PACK(NAME, T)                                                                  \
void NAME(const T *restrict x, const T *restrict wT, int64_t rows, int64_t k, int64_t channels,      \
          const T *restrict t, uint64_t *restrict out, uint64_t *restrict scratch) {                \
    T *restrict acc = (T *)scratch;                                                                  \
    const int64_t out_words = (channels + 63) / 64;                                                  \
    for (int64_t m = 0; m < rows; m++) {                                                             \
        const T *xr = x + m * k;                                                                     \
        for (int64_t c = 0; c < channels; c++) acc[c] = 0;                                           \
        for (int64_t j = 0; j < k; j++) {                                                            \
            const T xj = xr[j];                                                                      \
            const T *wr = wT + j * channels;                                                         \
            for (int64_t c = 0; c < channels; c++) acc[c] = (T)(acc[c] + xj * wr[c]);                \
        }                                                                                            \
        uint64_t *o = out + m * out_words;                                                           \
        for (int64_t w = 0; w < out_words; w++) {                                                    \
            const int64_t c0 = w * 64, n = channels - c0 < 64 ? channels - c0 : 64;                 \
            uint64_t bits = 0;                                                                       \
            for (int64_t b = 0; b < n; b++) bits |= (uint64_t)(acc[c0 + b] >= t[c0 + b]) << b;     \
            o[w] = bits;                                                                             \
        }                                                                                            \
    }                                                                                                \
}

INT_THRESHOLD_PACK(lb_int32_threshold_pack, int32_t)
INT_THRESHOLD_PACK(lb_int16_threshold_pack, int16_t)
