// The only C boundary of oneshot: OpenBLAS's CBLAS interface (and LAPACKE, for later
// factorisations). pkg-config "openblas" supplies the include path of Debian's build.
#include <cblas.h>
#include <lapacke.h>

// Declared by OpenBLAS but not by every cblas.h: the scheduler pins one BLAS thread per trial.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
