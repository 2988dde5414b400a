// float: double/float/long double arithmetic, libm, SSE vectors, optional AVX.
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef float v4sf __attribute__((vector_size(16)));
typedef double v2df __attribute__((vector_size(16)));
typedef double v4df __attribute__((vector_size(32)));

static volatile double vd[] = { 1.0, 3.0, 0.1, 0.2, 1e308, 2.0, -0.0, 7.0 };
static volatile float vf[] = { 1.0f, 3.0f, 0.1f, 16777217.0f };

__attribute__((target("avx"), noinline)) static double avx_dot(const double *a, const double *b)
{
    v4df x, y;
    memcpy(&x, a, sizeof x);
    memcpy(&y, b, sizeof y);
    v4df z = x * y + x;
    return z[0] + z[1] + z[2] + z[3];
}

__attribute__((noinline)) static double plain_dot(const double *a, const double *b)
{
    double s[4];
    for (int i = 0; i < 4; i++)
        s[i] = a[i] * b[i] + a[i];
    return s[0] + s[1] + s[2] + s[3];
}

int main(void)
{
    printf("1/3 = %.17g\n", vd[0] / vd[1]);
    printf("0.1+0.2 = %.17g\n", vd[2] + vd[3]);
    printf("1e308*2 = %.17g\n", vd[4] * vd[5]);
    printf("-0.0 = %g, 1/-0.0 = %g\n", vd[6], vd[0] / vd[6]);
    printf("0/0 is nan: %s\n", isnan(vd[6] / vd[6]) ? "yes" : "no");
    printf("float 1/3 = %.9g, 0.1f = %.9g, 2^24+1 = %.9g\n",
           (double)(vf[0] / vf[1]), (double)vf[2], (double)vf[3]);
    /* sqrt is correctly rounded by IEEE 754; print all digits. */
    printf("sqrt(2) = %.17g, sqrt(7) = %.17g\n", sqrt(vd[5]), sqrt(vd[7]));
    printf("sqrtf(2) = %.9g\n", (double)sqrtf((float)vd[5]));
    /* Transcendentals: glibc picks FMA/non-FMA variants by CPUID (ifunc).
       For these inputs both variants give bit-identical results (checked
       with GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA), so all digits. */
    printf("sin(1) = %.17g, cos(1) = %.17g\n", sin(vd[0]), cos(vd[0]));
    printf("exp(1) = %.17g, log(7) = %.17g\n", exp(vd[0]), log(vd[7]));
    printf("pow(2,0.5) = %.17g, atan2(1,3) = %.17g\n", pow(vd[5], 0.5), atan2(vd[0], vd[1]));
    printf("floor(-2.5) = %g, ceil(-2.5) = %g, round(2.5) = %g, trunc(-2.7) = %g\n",
           floor(-2.5 * vd[0]), ceil(-2.5 * vd[0]), round(2.5 * vd[0]), trunc(-2.7 * vd[0]));
    printf("fma(0.1,10,-1) = %.17g\n", fma(vd[2], 10.0, -vd[0]));

    volatile long double la = 1.0L, lb = 3.0L;
    long double lq = la / lb;
    printf("long double 1/3 = %.21Lg\n", lq);
    printf("long double sizeof=%zu, LDBL_MANT: 2^64+1 exact = %s\n", sizeof(long double),
           ((long double)18446744073709551615.0L + la) - la == 18446744073709551615.0L ? "yes" : "no");
    printf("sqrtl(2) = %.21Lg\n", sqrtl(la * 2));

    v4sf a = { 1.0f, 2.0f, 3.0f, 4.0f }, b = { 0.5f, 0.25f, 0.125f, 0.0625f };
    a[0] = vf[0];
    v4sf c = a * b + a;
    printf("v4sf: %.9g %.9g %.9g %.9g\n", c[0], c[1], c[2], c[3]);
    v2df d = { vd[0], vd[1] }, e = { vd[2], vd[3] };
    v2df f = d / e;
    printf("v2df: %.17g %.17g\n", f[0], f[1]);

    double x[4] = { 1.25, 2.5, 3.75, 5.0 }, y[4] = { 0.5, 0.25, 0.125, vd[2] };
    double r;
    if (__builtin_cpu_supports("avx"))
        r = avx_dot(x, y);
    else
        r = plain_dot(x, y);
    printf("dot = %.17g\n", r);
    printf("plain dot = %.17g\n", plain_dot(x, y));
    return 0;
}
