//! Parsing what users type: model ids, accounts, hex bytes, feature vectors.

use std::str::FromStr;

use crate::{error::ClientError, AccountId, ModelId};

/// Bytes from hex, with or without `0x`. `what` names the argument in the error.
pub fn parse_hex(what: &str, text: &str) -> Result<Vec<u8>, ClientError> {
	let text = text.trim();
	let digits = text.strip_prefix("0x").unwrap_or(text);
	hex::decode(digits)
		.map_err(|e| ClientError::BadHex { what: what.into(), reason: e.to_string() })
}

/// A model id: 32 bytes of hex, with or without `0x`.
pub fn parse_model_id(text: &str) -> Result<ModelId, ClientError> {
	let bytes = parse_hex("the model id", text)?;
	let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| ClientError::BadHex {
		what: "the model id".into(),
		reason: format!("a model id is 32 bytes, this is {}", b.len()),
	})?;
	Ok(ModelId::from(bytes))
}

/// An account: SS58 (any prefix) or 32 bytes of hex.
pub fn parse_account(text: &str) -> Result<AccountId, ClientError> {
	let text = text.trim();
	if text.starts_with("0x") {
		let bytes = parse_hex("the account", text)?;
		let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| ClientError::BadHex {
			what: "the account".into(),
			reason: format!("an account id is 32 bytes, this is {}", b.len()),
		})?;
		return Ok(AccountId::from(bytes));
	}
	AccountId::from_str(text).map_err(|e| {
		ClientError::InvalidArgument(format!(
			"`{text}` is not an account (SS58 address or 0x-prefixed 32-byte hex): {e}"
		))
	})
}

/// A feature vector for an Mlp model: comma-separated reals (`45,120,0.1`), encoded as the
/// engine's canonical input (little-endian `i32`, `round(x × input_scale)`).
pub fn parse_features(text: &str, input_scale: u64) -> Result<Vec<u8>, ClientError> {
	let values = text
		.split(',')
		.map(|v| {
			v.trim().parse::<f64>().map_err(|_| {
				ClientError::InvalidArgument(format!("feature `{}` is not a number", v.trim()))
			})
		})
		.collect::<Result<Vec<f64>, _>>()?;
	verity_engine::encoding::encode_features(&values, input_scale)
		.map_err(|e| ClientError::InvalidArgument(e.to_string()))
}
