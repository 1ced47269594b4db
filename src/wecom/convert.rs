//! Turning a picture that the `image` message would refuse into one it takes.
//!
//! WeCom accepts only JPG and PNG, at most 2 MiB before base64 (WebP and GIF
//! are refused, reported). A screenshot saved as WebP, an animated GIF or a
//! large photo is common, so [`to_acceptable`] decodes it and, when needed,
//! encodes it again: PNG first (lossless, best for screenshots), JPEG when the
//! PNG is too large (photos), scaling down until it fits. A picture that is
//! already acceptable is returned untouched, byte for byte, so its md5 does
//! not change.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, GenericImageView, ImageReader, imageops::FilterType};

use super::limits;
use super::media::{ImageFormat, sniff_image};

/// JPEG quality: high enough that text in screenshots stays readable.
const JPEG_QUALITY: u8 = 85;
/// Each scaling step aims a little below the limit, so that one or two steps
/// are usually enough.
const SCALE_HEADROOM: f64 = 0.9;
/// Give up rather than loop forever on a picture that will not shrink.
const MAX_STEPS: usize = 12;

/// The picture as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// What the input was.
    pub original_format: ImageFormat,
    pub original_width: u32,
    pub original_height: u32,
    /// Whether the bytes differ from the input.
    pub changed: bool,
}

impl Converted {
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// One line for the user, in the current language: what was done.
    pub fn describe(&self) -> String {
        if !self.changed {
            return crate::tr!(
                "convert.as_is",
                format = self.format.name(),
                w = self.width,
                h = self.height,
                size = self.size()
            )
            .into_owned();
        }
        crate::tr!(
            "convert.converted",
            from = self.original_format.name(),
            fw = self.original_width,
            fh = self.original_height,
            to = self.format.name(),
            w = self.width,
            h = self.height,
            size = self.size()
        )
        .into_owned()
    }
}

/// Why a picture could not be made acceptable, in the current language
/// (`convert.*`); the image library's reason is quoted in its own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    NotAnImage,
    Decode {
        format: &'static str,
        message: String,
    },
    Encode(String),
    TooLarge(u64),
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ConvertError::NotAnImage => crate::tr!("convert.not_an_image"),
            ConvertError::Decode { format, message } => {
                crate::tr!("convert.decode", format = format, message = message)
            }
            ConvertError::Encode(message) => crate::tr!("convert.encode", message = message),
            ConvertError::TooLarge(max) => crate::tr!("convert.too_large", max = max),
        };
        f.write_str(&text)
    }
}

/// The picture as WeCom's `image` message takes it: JPG or PNG, at most
/// 2 MiB ([`limits::IMAGE_MAX_BYTES`]).
pub fn to_acceptable(bytes: &[u8]) -> Result<Converted, ConvertError> {
    to_acceptable_within(bytes, limits::IMAGE_MAX_BYTES)
}

/// Like [`to_acceptable`] with another size limit (tests use small ones).
pub fn to_acceptable_within(bytes: &[u8], max_bytes: u64) -> Result<Converted, ConvertError> {
    let original_format = sniff_image(bytes).ok_or(ConvertError::NotAnImage)?;
    let decode_error = |e: image::ImageError| ConvertError::Decode {
        format: original_format.name(),
        message: e.to_string(),
    };
    if original_format.accepted() && bytes.len() as u64 <= max_bytes {
        let (width, height) = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ConvertError::Decode {
                format: original_format.name(),
                message: e.to_string(),
            })?
            .into_dimensions()
            .map_err(decode_error)?;
        return Ok(Converted {
            bytes: bytes.to_vec(),
            format: original_format,
            width,
            height,
            original_format,
            original_width: width,
            original_height: height,
            changed: false,
        });
    }
    let mut picture = image::load_from_memory(bytes).map_err(decode_error)?;
    let (original_width, original_height) = picture.dimensions();
    // A photo is smaller as JPEG, and a JPEG source has nothing PNG could keep.
    let photo = original_format == ImageFormat::Jpeg;
    for _ in 0..MAX_STEPS {
        let (width, height) = picture.dimensions();
        let mut smallest = u64::MAX;
        let formats: &[ImageFormat] = if photo {
            &[ImageFormat::Jpeg]
        } else {
            &[ImageFormat::Png, ImageFormat::Jpeg]
        };
        for &format in formats {
            let encoded = encode(&picture, format)?;
            let size = encoded.len() as u64;
            if size <= max_bytes {
                return Ok(Converted {
                    bytes: encoded,
                    format,
                    width,
                    height,
                    original_format,
                    original_width,
                    original_height,
                    changed: true,
                });
            }
            smallest = smallest.min(size);
        }
        picture = shrink(&picture, max_bytes as f64 / smallest as f64)
            .ok_or(ConvertError::TooLarge(max_bytes))?;
    }
    Err(ConvertError::TooLarge(max_bytes))
}

/// The picture scaled so that its area shrinks by about `ratio`; `None` when
/// it cannot get smaller.
fn shrink(picture: &DynamicImage, ratio: f64) -> Option<DynamicImage> {
    let (width, height) = picture.dimensions();
    let scale = (ratio.sqrt() * SCALE_HEADROOM).min(SCALE_HEADROOM);
    let w = ((f64::from(width) * scale).floor() as u32).max(1);
    let h = ((f64::from(height) * scale).floor() as u32).max(1);
    if w == width && h == height {
        return None;
    }
    Some(picture.resize_exact(w, h, FilterType::Triangle))
}

fn encode(picture: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, ConvertError> {
    let mut out = Vec::new();
    let result = match format {
        ImageFormat::Jpeg => {
            // JPEG has no transparency: lay the picture on white first.
            let flat = DynamicImage::ImageRgb8(flatten_on_white(picture));
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&flat)
        }
        _ => {
            let encoder =
                PngEncoder::new_with_quality(&mut out, CompressionType::Best, PngFilter::Adaptive);
            picture.write_with_encoder(encoder)
        }
    };
    result.map_err(|e| ConvertError::Encode(e.to_string()))?;
    Ok(out)
}

fn flatten_on_white(picture: &DynamicImage) -> image::RgbImage {
    let rgba = picture.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (x, y, p) in rgba.enumerate_pixels() {
        let [r, g, b, a] = p.0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
        rgb.put_pixel(x, y, image::Rgb([blend(r), blend(g), blend(b)]));
    }
    rgb
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A picture with detail (so that it does not compress to nothing).
    fn noisy(width: u32, height: u32) -> DynamicImage {
        let mut seed: u32 = 12345;
        let img = image::RgbaImage::from_fn(width, height, |x, y| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (seed >> 16) as u8;
            image::Rgba([n, (x % 256) as u8, (y % 256) as u8, 255])
        });
        DynamicImage::ImageRgba8(img)
    }

    fn encoded(img: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn an_acceptable_picture_is_returned_byte_for_byte() {
        let png = encoded(&noisy(20, 10), image::ImageFormat::Png);
        let c = to_acceptable(&png).unwrap();
        assert!(!c.changed);
        assert_eq!(c.bytes, png);
        assert_eq!((c.format, c.width, c.height), (ImageFormat::Png, 20, 10));
    }

    #[test]
    fn gif_bmp_and_webp_become_png() {
        let small = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            30,
            20,
            image::Rgba([200, 10, 10, 255]),
        ));
        for format in [
            image::ImageFormat::Gif,
            image::ImageFormat::Bmp,
            image::ImageFormat::WebP,
        ] {
            let c = to_acceptable(&encoded(&small, format)).unwrap();
            assert!(c.changed);
            assert_eq!(c.format, ImageFormat::Png);
            assert_eq!(sniff_image(&c.bytes), Some(ImageFormat::Png));
            assert_eq!((c.width, c.height), (30, 20));
        }
    }

    #[test]
    fn an_oversized_picture_is_scaled_under_the_limit() {
        let png = encoded(&noisy(300, 300), image::ImageFormat::Png);
        let limit = 40_000;
        assert!(png.len() as u64 > limit);
        let c = to_acceptable_within(&png, limit).unwrap();
        assert!(c.size() <= limit, "{}", c.size());
        assert!(c.changed);
        assert!(c.format.accepted());
        assert_eq!(sniff_image(&c.bytes), Some(c.format));
        let decoded = image::load_from_memory(&c.bytes).unwrap();
        assert_eq!(decoded.dimensions(), (c.width, c.height));
        assert_eq!(c.describe().split(' ').next(), Some("converted"));
    }

    #[test]
    fn not_a_picture_is_refused() {
        assert_eq!(
            to_acceptable(b"hello, not a picture"),
            Err(ConvertError::NotAnImage)
        );
        let broken = b"\x89PNG\r\n\x1a\nthis is not really a png";
        assert!(matches!(
            to_acceptable_within(broken, 4),
            Err(ConvertError::Decode { format: "PNG", .. })
        ));
    }
}
