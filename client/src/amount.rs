//! Amounts of VRT and percentages, as people write them and as the chain stores them.
//!
//! The chain counts VRT in units of 10⁻¹² ([`DECIMALS`]); people write `10` or `10.5`. Shares
//! (quorum, royalty, commission) are `Perbill`s on chain, parts per billion; people write
//! percentages such as `67` or `66.5`. Parsing is exact decimal arithmetic: no floats, so
//! `0.1` VRT is exactly 100 000 000 000 units.

use crate::{error::ClientError, Balance};

/// Decimal places of VRT.
pub const DECIMALS: u32 = 12;
/// One VRT in units.
pub const UNIT: Balance = 10u128.pow(DECIMALS);
/// The ticker.
pub const SYMBOL: &str = "VRT";

/// Parses `10`, `10.5` or `0.000000000001` VRT into units. Refuses signs, more than 12
/// decimals, empty parts and amounts that overflow `u128`.
pub fn parse_vrt(input: &str) -> Result<Balance, ClientError> {
	let bad = |reason: &str| ClientError::BadAmount { input: input.into(), reason: reason.into() };
	let text = input.trim().trim_end_matches(SYMBOL).trim_end();
	let (whole, fraction) = match text.split_once('.') {
		Some((whole, fraction)) => (whole, fraction),
		None => (text, ""),
	};
	if whole.is_empty() && fraction.is_empty() {
		return Err(bad("no digits"));
	}
	if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
		return Err(bad("only digits and one decimal point are allowed"));
	}
	if fraction.len() > DECIMALS as usize {
		return Err(bad("more than 12 decimals"));
	}
	let digits_to_units = |digits: &str| -> Result<Balance, ClientError> {
		if digits.is_empty() {
			return Ok(0);
		}
		digits.parse::<Balance>().map_err(|_| bad("too large"))
	};
	let whole_units = digits_to_units(whole)?.checked_mul(UNIT).ok_or_else(|| bad("too large"))?;
	let padded = format!("{fraction:0<width$}", width = DECIMALS as usize);
	let fraction_units = digits_to_units(&padded)?;
	whole_units.checked_add(fraction_units).ok_or_else(|| bad("too large"))
}

/// Formats units as VRT with no trailing zeros: `10`, `10.5`, `0.001`.
pub fn format_vrt(units: Balance) -> String {
	let whole = units / UNIT;
	let fraction = units % UNIT;
	if fraction == 0 {
		return whole.to_string();
	}
	let fraction = format!("{fraction:0width$}", width = DECIMALS as usize);
	format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// Parts per billion in one percent.
const PPB_PER_PERCENT: u64 = 10_000_000;

/// Parses a percentage (`67`, `66.5`, `0.0000001`, optionally with `%`) or a fraction (`2/3`,
/// rounded down to a part per billion as the runtime's `Perbill::from_rational`) into parts
/// per billion, the unit of the chain's `Perbill`.
pub fn parse_percent(input: &str) -> Result<u32, ClientError> {
	let bad = |reason: &str| ClientError::BadPercent { input: input.into(), reason: reason.into() };
	if let Some((numerator, denominator)) = input.split_once('/') {
		let number = |text: &str| text.trim().parse::<u64>().map_err(|_| bad("not a fraction"));
		let (numerator, denominator) = (number(numerator)?, number(denominator)?);
		if denominator == 0 {
			return Err(bad("division by zero"));
		}
		if numerator > denominator {
			return Err(bad("above 100"));
		}
		let ppb = u128::from(numerator) * 1_000_000_000 / u128::from(denominator);
		return Ok(ppb as u32);
	}
	let text = input.trim().trim_end_matches('%').trim_end();
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if whole.is_empty() && fraction.is_empty() {
		return Err(bad("no digits"));
	}
	if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
		return Err(bad("only digits and one decimal point are allowed"));
	}
	// A part per billion is 10⁻⁷ percent.
	if fraction.len() > 7 {
		return Err(bad("more precise than a part per billion"));
	}
	let whole: u64 =
		if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad("too large"))? };
	let fraction: u64 = format!("{fraction:0<7}").parse().map_err(|_| bad("not a number"))?;
	let ppb = whole
		.checked_mul(PPB_PER_PERCENT)
		.and_then(|w| w.checked_add(fraction))
		.ok_or_else(|| bad("too large"))?;
	if ppb > 100 * PPB_PER_PERCENT {
		return Err(bad("above 100"));
	}
	Ok(ppb as u32)
}

/// Formats parts per billion as a percentage with no trailing zeros: `67%`, `66.5%`.
pub fn format_percent(ppb: u32) -> String {
	let whole = u64::from(ppb) / PPB_PER_PERCENT;
	let fraction = u64::from(ppb) % PPB_PER_PERCENT;
	if fraction == 0 {
		return format!("{whole}%");
	}
	format!("{whole}.{}%", format!("{fraction:07}").trim_end_matches('0'))
}

/// Serde helpers: amounts as exact VRT decimal strings (`"10.5"`), so JSON readers never lose
/// precision to floating point.
pub mod as_vrt {
	use super::*;

	/// Serializes units as a VRT string.
	pub fn serialize<S: serde::Serializer>(units: &Balance, s: S) -> Result<S::Ok, S::Error> {
		s.serialize_str(&format_vrt(*units))
	}
}

/// Serde helpers: `Perbill` parts as a percentage number (`66.5`).
pub mod as_percent {
	/// Serializes parts per billion as a percentage.
	pub fn serialize<S: serde::Serializer>(ppb: &u32, s: S) -> Result<S::Ok, S::Error> {
		s.serialize_f64(f64::from(*ppb) / 1e7)
	}
}
