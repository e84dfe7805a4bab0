//! Line charts as PNG (plotters' bitmap backend): accuracy curves of the report, training curves of a run.

use std::path::Path;

use plotters::prelude::*;

use super::ReportError;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// `(x, y)` points, drawn in order.
    pub points: Vec<(f64, f64)>,
    /// Optional ± error bar per point (for example the standard deviation over seeds).
    pub error: Option<Vec<f64>>,
}

/// Draws `series` into a 900 × 540 PNG at `path`.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[Series],
) -> Result<(), ReportError> {
    let fail = |e: &dyn std::fmt::Display| ReportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let pts = || series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for s in series {
        for (i, &(x, y)) in s.points.iter().enumerate() {
            let e = s
                .error
                .as_ref()
                .and_then(|e| e.get(i))
                .copied()
                .unwrap_or(0.0);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y - e);
            y1 = y1.max(y + e);
        }
    }
    if pts().next().is_none() {
        return Err(fail(&"no points to plot"));
    }
    let pad_x = ((x1 - x0) * 0.05).max(1e-3);
    let pad_y = ((y1 - y0) * 0.1).max(1e-3);
    let root = BitMapBackend::new(path, (900, 540)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x0 - pad_x)..(x1 + pad_x), (y0 - pad_y)..(y1 + pad_y))
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(|e| fail(&e))?;
    for (i, s) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                s.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(|e| fail(&e))?
            .label(s.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(|e| fail(&e))?;
        if let Some(err) = &s.error {
            let bars = s.points.iter().zip(err).map(|(&(x, y), &e)| {
                ErrorBar::new_vertical(x, y - e, y, y + e, color.stroke_width(1), 6)
            });
            chart.draw_series(bars).map_err(|e| fail(&e))?;
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_png() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        let s = Series {
            name: "KD".into(),
            points: vec![(0.0, 0.6), (0.3, 0.7), (0.5, 0.65)],
            error: Some(vec![0.01, 0.02, 0.01]),
        };
        line_chart(&path, "accuracy", "degree", "accuracy", &[s]).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(line_chart(&path, "t", "x", "y", &[]).is_err());
    }
}
