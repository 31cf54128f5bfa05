//! [`ModelRegistry`]: the registry as the inference pallet sees it.

use crate::{BalanceOf, Config, Error, ModelInfoOf, ModelRegistry, Models, Pallet};
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{DispatchResult, Perbill};
use verity_primitives::ModelId;

impl<T: Config> ModelRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	type MaxInputLen = T::MaxInputLen;
	type MaxOutputLen = T::MaxOutputLen;
	type MaxReplication = T::MaxReplication;
	type BlockNumber = BlockNumberFor<T>;

	fn model(id: &ModelId) -> Option<ModelInfoOf<T>> {
		Models::<T>::get(id)
	}

	fn min_quorum() -> Perbill {
		T::MinQuorum::get()
	}

	fn max_royalty() -> Perbill {
		T::MaxRoyalty::get()
	}

	fn job_opened(id: &ModelId) -> DispatchResult {
		Models::<T>::try_mutate(id, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::ModelNotFound)?;
			info.open_jobs = info.open_jobs.checked_add(1).ok_or(Error::<T>::TooManyOpenJobs)?;
			Ok(())
		})
	}

	fn job_closed(id: &ModelId) {
		Models::<T>::mutate(id, |maybe| match maybe.as_mut() {
			Some(info) if info.open_jobs > 0 => info.open_jobs = info.open_jobs.saturating_sub(1),
			_ => {
				frame_support::defensive!("closing a job of a model with no open job");
			}
		});
	}

	fn open_job_counts() -> alloc::vec::Vec<(ModelId, u32)> {
		Models::<T>::iter()
			.filter(|(_, info)| info.open_jobs > 0)
			.map(|(id, info)| (id, info.open_jobs))
			.collect()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmark(
		owner: &T::AccountId,
		manifest: ModelId,
		spec: crate::ModelSpecOf<T>,
	) -> Result<ModelId, sp_runtime::DispatchError> {
		use frame_support::traits::fungible::{Inspect, Mutate};
		use sp_runtime::Saturating;
		let deposit = T::ModelDeposit::get();
		let funds =
			deposit.saturating_add(T::Currency::minimum_balance()).saturating_mul(2u32.into());
		if T::Currency::balance(owner) < funds {
			T::Currency::set_balance(owner, funds);
		}
		Self::do_register(owner.clone(), manifest, spec)
	}
}
