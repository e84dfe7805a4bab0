//! Strided `f32` matrix views and `C (+)= A·B` through the `gemm` crate (the kernels burn-flex uses,
//! AVX-512 included), so that transposes and column blocks cost no copy.

/// A read-only `rows × cols` view: element `(r, c)` is `data[r·row_stride + c·col_stride]`.
#[derive(Debug, Clone, Copy)]
pub struct MatRef<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

/// A writable `rows × cols` row-major view with a row stride (a column block of a wider matrix).
#[derive(Debug)]
pub struct MatMut<'a> {
    data: &'a mut [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
}

/// Index of the last element a view touches, or `None` for an empty view.
fn last_index(rows: usize, cols: usize, row_stride: usize, col_stride: usize) -> Option<usize> {
    (rows > 0 && cols > 0).then(|| (rows - 1) * row_stride + (cols - 1) * col_stride)
}

impl<'a> MatRef<'a> {
    /// Row-major `rows × cols` over `data` (exactly `rows·cols` elements).
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix {rows}x{cols} over {} floats",
            data.len()
        );
        Self::strided(data, rows, cols, cols, 1)
    }

    /// Any strided view; panics when it reaches past `data`.
    pub fn strided(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Self {
        if let Some(last) = last_index(rows, cols, row_stride, col_stride) {
            assert!(last < data.len(), "strided view past its data");
        }
        Self {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// Columns `start..start + cols` of a row-major matrix whose rows are `row_stride` apart.
    pub fn cols_of(
        data: &'a [f32],
        rows: usize,
        row_stride: usize,
        start: usize,
        cols: usize,
    ) -> Self {
        assert!(start + cols <= row_stride, "column block past the row");
        let data = if rows == 0 {
            &data[..0]
        } else {
            &data[start..]
        };
        Self::strided(data, rows, cols, row_stride, 1)
    }

    /// The transpose (no copy).
    pub fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }
}

impl<'a> MatMut<'a> {
    /// Row-major `rows × cols` over `data` (exactly `rows·cols` elements).
    pub fn new(data: &'a mut [f32], rows: usize, cols: usize) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix {rows}x{cols} over {} floats",
            data.len()
        );
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
        }
    }

    /// Columns `start..start + cols` of a row-major matrix whose rows are `row_stride` apart.
    pub fn cols_of(
        data: &'a mut [f32],
        rows: usize,
        row_stride: usize,
        start: usize,
        cols: usize,
    ) -> Self {
        assert!(start + cols <= row_stride, "column block past the row");
        if let Some(last) = last_index(rows, cols, row_stride, 1) {
            assert!(start + last < data.len(), "column block past its data");
        }
        let data = if rows == 0 {
            &mut data[..0]
        } else {
            &mut data[start..]
        };
        Self {
            data,
            rows,
            cols,
            row_stride,
        }
    }
}

/// Below this many multiply-adds one thread does the product (rayon's hand-off costs more).
const PARALLEL_MACS: usize = 1 << 20;

/// `c = a·b`, or `c += a·b` when `accumulate`.
///
/// # Shapes
/// - `a`: `[m, k]`, `b`: `[k, n]`, `c`: `[m, n]`
pub fn matmul(c: MatMut<'_>, a: MatRef<'_>, b: MatRef<'_>, accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "inner dimensions {k} and {}", b.rows);
    assert_eq!((c.rows, c.cols), (m, n), "output shape");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            for r in 0..m {
                c.data[r * c.row_stride..r * c.row_stride + n].fill(0.0);
            }
        }
        return;
    }
    let parallelism = if m * n * k >= PARALLEL_MACS {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    let isz = |v: usize| isize::try_from(v).unwrap_or(isize::MAX);
    // SAFETY: the constructors checked that every view stays inside its slice, `c` is borrowed
    // mutably (so it aliases neither input), and the shapes agree (asserted above).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.data.as_mut_ptr(),
            1,
            isz(c.row_stride),
            accumulate,
            a.data.as_ptr(),
            isz(a.col_stride),
            isz(a.row_stride),
            b.data.as_ptr(),
            isz(b.col_stride),
            isz(b.row_stride),
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn products_transposes_and_column_blocks() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.3).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.7).cos()).collect();
        let want = naive(&a, &b, m, k, n);

        let mut c = vec![0.0; m * n];
        matmul(
            MatMut::new(&mut c, m, n),
            MatRef::new(&a, m, k),
            MatRef::new(&b, k, n),
            false,
        );
        for (x, y) in c.iter().zip(&want) {
            assert!((x - y).abs() < 1e-5);
        }
        // Accumulate: twice the product.
        matmul(
            MatMut::new(&mut c, m, n),
            MatRef::new(&a, m, k),
            MatRef::new(&b, k, n),
            true,
        );
        for (x, y) in c.iter().zip(&want) {
            assert!((x - 2.0 * y).abs() < 1e-5);
        }
        // (Bᵀ)ᵀ from a stored transpose, written into columns 2..5 of a 4-wide... 6-wide matrix.
        let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect();
        let mut wide = vec![9.0; m * 6];
        matmul(
            MatMut::cols_of(&mut wide, m, 6, 2, n),
            MatRef::new(&a, m, k),
            MatRef::new(&bt, n, k).t(),
            false,
        );
        for i in 0..m {
            assert_eq!(wide[i * 6], 9.0);
            assert_eq!(wide[i * 6 + 5], 9.0);
            for j in 0..n {
                assert!((wide[i * 6 + 2 + j] - want[i * n + j]).abs() < 1e-5);
            }
        }
        // A column block as the left operand: columns 2..5 are exactly the product.
        let mut again = vec![0.0; m * n];
        let block = MatRef::cols_of(&wide, m, 6, 2, n);
        let eye: Vec<f32> = (0..n * n)
            .map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 })
            .collect();
        matmul(
            MatMut::new(&mut again, m, n),
            block,
            MatRef::new(&eye, n, n),
            false,
        );
        for (x, y) in again.iter().zip(&want) {
            assert!((x - y).abs() < 1e-5);
        }
    }

    #[test]
    #[should_panic(expected = "inner dimensions")]
    fn mismatched_shapes_are_refused() {
        let a = vec![0.0; 6];
        let mut c = vec![0.0; 4];
        matmul(
            MatMut::new(&mut c, 2, 2),
            MatRef::new(&a, 2, 3),
            MatRef::new(&a, 2, 3),
            false,
        );
    }
}
