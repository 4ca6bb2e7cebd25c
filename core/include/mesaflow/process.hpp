// The dynamics of the sequences (the field `process`, core/THEORY.md §9): the matrix W of
// x_{t+1} = r W x_t + sigma_eps eps_t for each sequence, drawn from the sequence's own generator,
// and the checks of a fixed W given as a file.
//
// Haar sampling: the QR decomposition of a Ginibre matrix (independent standard gaussian entries,
// complex for U(d), real for O(d)) whose R has a positive real diagonal is Haar-distributed
// (Mezzadri, "How to generate random matrices from the classical compact groups", 2007: the
// "phase correction" Q diag(R_ii / |R_ii|) of any QR gives this Q). Gram-Schmidt on the columns
// gives exactly that Q; it is run twice (re-orthogonalisation) so that Q^H Q = I to rounding.
// SO(d): a Haar O(d) matrix with determinant -1 has its first column negated (a measure-preserving
// bijection of the two cosets that commutes with left multiplication by SO(d)).
#pragma once
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/problem.hpp"
#include "mesaflow/rng.hpp"

namespace mesaflow {

// U Haar on U(d) into re, im (d, d) row-major: 2 d^2 normals from rng.
void haar_unitary(int d, Rng& rng, double* re, double* im);
// Q Haar on SO(d) into q (d, d) row-major: d^2 normals from rng.
void haar_special_orthogonal(int d, Rng& rng, double* q);

// W of one sequence (d, d) row-major, before the radius: for diagonal diag(e^{i theta}) (d phases,
// as the regenerating scan has them), unitary U diag(e^{i theta}) U^H, orthogonal Haar SO(d),
// rotation 2x2 blocks [[cos, -sin], [sin, cos]] of iid uniform angles (odd d: W_dd = +1, the last
// coordinate is kept: x_{t,d} = r^{t-1} x_{1,d} plus noise), fixed: c's file or the one W drawn
// from the seed (process_fixed_w).
void draw_w(const Config& c, Rng& rng, double* re, double* im);
// The W of process fixed: c.w_re/c.w_im when a file gave them, else the unitary law's W drawn once
// from (seed, kProcessStream).
void process_fixed_w(const Config& c, std::vector<double>* re, std::vector<double>* im);

// W is real for every sequence (orthogonal, rotation, a fixed W with no imaginary part).
bool real_w(const Config& c);
// The noise is real gaussian (a real W and a real first token: every token real), else complex
// circular (real and imaginary parts N(0, 1/2) each): E|eps_t|^2 = d either way.
bool real_noise(const Config& c);
// The (x_1, lambda) representation holds the set: process diagonal without noise.
bool regenerable(const Config& c);

// The relations of process, radius, noise and the W file with the other fields ({} when fine):
// a W file only with process fixed, of shape (d, d), finite, in float range in single, and with
// ||r W||_2^(T-1) (how much the tokens can grow) at most 1e30 (1e3 in single: the loss has degree
// 6 in the tokens). Field "w-file".
Problem check_process(const Config& c);

// Reads a (d, d) matrix from .npy bytes (float64, float32, complex128 or complex64, C order) into
// c->w_re, c->w_im: "" or what is wrong (shape, dtype, a non-finite entry).
std::string parse_w_npy(const std::string& bytes, Config* c);
// The same from a file; the problem names the field w-file.
Problem load_w_file(const std::string& path, Config* c);

// The largest singular value of the (d, d) matrix re + i im.
double spectral_norm(int d, const double* re, const double* im);

}  // namespace mesaflow
