//! The network's layout, computed when the report is built so the same tables always give the
//! same picture: Fruchterman and Reingold's force-directed placement (1991), with a pull to
//! the centre so that parts without edges between them stay in view.
//!
//! Nodes start on a sunflower spiral in their given order (the most mentioned in the middle)
//! and move for a fixed number of steps with a cooling limit on each step. Only `+`, `-`,
//! `*`, `/` and `sqrt`, all correctly rounded in IEEE 754, are used: the positions do not
//! depend on the platform's maths library.

/// Steps of the simulation.
const STEPS: usize = 300;
/// The side of the square the simulation runs in.
const SIDE: f64 = 1000.0;
/// The rectangle the result is stretched into: about the shape of the page's network pane.
const WIDTH: f64 = 1600.0;
const HEIGHT: f64 = 1000.0;
/// How strongly every node is pulled to the centre, relative to an edge's pull.
const GRAVITY: f64 = 0.05;
/// cos and sin of the golden angle (π(3 − √5)): successive spiral points turn by it.
const GOLDEN_COS: f64 = -0.737_368_878_078_319_7;
const GOLDEN_SIN: f64 = 0.675_490_294_261_523_8;

/// Positions in `[0, WIDTH] × [0, HEIGHT]` (rounded to a tenth) of `n` nodes joined by `edges` (node,
/// node, weight > 0).
pub(crate) fn layout(nodes: usize, edges: &[(usize, usize, f64)]) -> Vec<(f64, f64)> {
    if nodes == 0 {
        return Vec::new();
    }
    // The ideal distance between nodes: repulsion is spacing² / distance, attraction
    // distance² / spacing times the edge's weight.
    let spacing = SIDE / float(nodes).sqrt();
    let max_weight = edges.iter().map(|e| e.2).fold(0.0_f64, f64::max);
    let weights: Vec<(usize, usize, f64)> = edges
        .iter()
        .filter(|(a, b, w)| a != b && *a < nodes && *b < nodes && *w > 0.0)
        .map(|&(a, b, w)| (a, b, (w / max_weight).sqrt()))
        .collect();

    // The spiral: radius grows with the square root of the rank.
    let mut pos: Vec<(f64, f64)> = Vec::with_capacity(nodes);
    let mut turn = (1.0, 0.0);
    for rank in 0..nodes {
        let radius = spacing * (float(rank) + 0.5).sqrt();
        pos.push((turn.0 * radius, turn.1 * radius));
        turn =
            (turn.0 * GOLDEN_COS - turn.1 * GOLDEN_SIN, turn.0 * GOLDEN_SIN + turn.1 * GOLDEN_COS);
    }

    let mut shift = vec![(0.0, 0.0); nodes];
    for step in 0..STEPS {
        let limit = SIDE / 10.0 * (1.0 - float(step) / float(STEPS)) + 1.0;
        shift.fill((0.0, 0.0));
        for i in 0..nodes {
            for j in i + 1..nodes {
                let apart = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let force = spacing * spacing / (apart.0 * apart.0 + apart.1 * apart.1).max(0.01);
                shift[i].0 += apart.0 * force;
                shift[i].1 += apart.1 * force;
                shift[j].0 -= apart.0 * force;
                shift[j].1 -= apart.1 * force;
            }
        }
        for &(a, b, weight) in &weights {
            let apart = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let force = (apart.0 * apart.0 + apart.1 * apart.1).sqrt() * weight / spacing;
            shift[a].0 -= apart.0 * force;
            shift[a].1 -= apart.1 * force;
            shift[b].0 += apart.0 * force;
            shift[b].1 += apart.1 * force;
        }
        for (p, s) in pos.iter_mut().zip(&mut shift) {
            let radius = (p.0 * p.0 + p.1 * p.1).sqrt();
            s.0 -= p.0 * radius * GRAVITY / spacing;
            s.1 -= p.1 * radius * GRAVITY / spacing;
            let length = (s.0 * s.0 + s.1 * s.1).sqrt();
            if length > 0.0 {
                let scale = length.min(limit) / length;
                p.0 += s.0 * scale;
                p.1 += s.1 * scale;
            }
        }
    }

    // Stretched into the rectangle: a wide pane shows more of a wider picture.
    let (min_x, max_x) = bounds(pos.iter().map(|p| p.0));
    let (min_y, max_y) = bounds(pos.iter().map(|p| p.1));
    let fit = |v: f64, min: f64, max: f64, side: f64| {
        let v = if max > min { (v - min) / (max - min) * side } else { side / 2.0 };
        (v * 10.0).round() / 10.0
    };
    pos.iter().map(|&(x, y)| (fit(x, min_x, max_x, WIDTH), fit(y, min_y, max_y, HEIGHT))).collect()
}

/// A count as a float (exact: counts here are far below 2^32).
fn float(count: usize) -> f64 {
    f64::from(u32::try_from(count).unwrap_or(u32::MAX))
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_nodes_end_closer_than_unjoined_ones() {
        // Two triangles joined by nothing: each triangle's nodes end nearer each other than
        // the triangles' nodes are to the other triangle's.
        let edges = [(0, 1, 5.0), (1, 2, 5.0), (0, 2, 5.0), (3, 4, 5.0), (4, 5, 5.0), (3, 5, 5.0)];
        let pos = layout(6, &edges);
        let dist = |a: usize, b: usize| {
            let (x, y) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            (x * x + y * y).sqrt()
        };
        let within = dist(0, 1).max(dist(1, 2)).max(dist(3, 4)).max(dist(4, 5));
        let across = dist(0, 3).min(dist(1, 4)).min(dist(2, 5)).min(dist(0, 5));
        assert!(within < across, "within {within}, across {across}: {pos:?}");
    }

    #[test]
    fn positions_fill_the_rectangle_and_repeat() {
        let edges: Vec<(usize, usize, f64)> = (1..40).map(|i| (0, i, float(i))).collect();
        let pos = layout(40, &edges);
        assert_eq!(pos, layout(40, &edges));
        assert_eq!(bounds(pos.iter().map(|p| p.0)), (0.0, WIDTH), "{pos:?}");
        assert_eq!(bounds(pos.iter().map(|p| p.1)), (0.0, HEIGHT), "{pos:?}");
        assert_eq!(layout(1, &[]), vec![(WIDTH / 2.0, HEIGHT / 2.0)]);
        assert!(layout(0, &[]).is_empty());
    }
}
