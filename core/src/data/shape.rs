//! The shape of one image, apart from the images themselves: the errors that name a shape
//! and the image sets that have one both use it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The shape of one image: channels × height × width.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl ImageShape {
    /// Bytes per image: channels × height × width (saturating; real shapes are small).
    pub fn pixels(&self) -> usize {
        self.channels
            .saturating_mul(self.height)
            .saturating_mul(self.width)
    }
}

impl fmt::Display for ImageShape {
    /// `3×32×32`: channels × height × width.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}×{}", self.channels, self.height, self.width)
    }
}
