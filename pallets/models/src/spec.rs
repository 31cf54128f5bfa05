//! The bounds a model's spec must satisfy (see the crate docs, "Spec bounds").

use crate::{Architecture, Config, Error, ModelSpecOf, Pallet};
use frame_support::{ensure, traits::Get};
use sp_runtime::DispatchResult;
use verity_primitives::contract::NumericalContract;

/// Whether `contract` can compare the outputs of `architecture`: greedy generation
/// (`LlamaGguf`) is compared by its token ids only, and only generators produce token ids.
/// `Other` may name either kind, so only `Tolerance`'s own bound applies to it.
pub fn contract_fits(architecture: &Architecture, contract: &NumericalContract) -> bool {
	match (architecture, contract) {
		(Architecture::LlamaGguf, contract) => *contract == NumericalContract::TokenMatch,
		(Architecture::Other(_), _) => true,
		(Architecture::Mlp | Architecture::BertEmbedding, NumericalContract::TokenMatch) => false,
		(Architecture::Mlp | Architecture::BertEmbedding, _) => true,
	}
}

impl<T: Config> Pallet<T> {
	/// Check a spec against the configured bounds.
	pub fn ensure_valid_spec(spec: &ModelSpecOf<T>) -> DispatchResult {
		ensure!(
			(1..=T::MaxInputLen::get()).contains(&spec.max_input_len),
			Error::<T>::InvalidInputLimit
		);
		ensure!(
			(1..=T::MaxOutputLen::get()).contains(&spec.max_output_len),
			Error::<T>::InvalidOutputLimit
		);
		ensure!(spec.price >= T::MinPrice::get(), Error::<T>::PriceTooLow);
		ensure!(
			(1..=T::MaxReplication::get()).contains(&spec.replication),
			Error::<T>::InvalidReplication
		);
		ensure!(spec.quorum >= T::MinQuorum::get(), Error::<T>::QuorumTooLow);
		ensure!(spec.royalty <= T::MaxRoyalty::get(), Error::<T>::RoyaltyTooHigh);
		ensure!(
			contract_fits(&spec.architecture, &spec.contract),
			Error::<T>::ContractNotForArchitecture
		);
		if let NumericalContract::Tolerance { eps } = spec.contract {
			ensure!(eps > 0, Error::<T>::ZeroTolerance);
			ensure!(eps <= T::MaxToleranceEps::get(), Error::<T>::ToleranceTooLoose);
		}
		ensure!(spec.compute_blocks <= T::MaxComputeBlocks::get(), Error::<T>::ComputeTooLong);
		Ok(())
	}
}
