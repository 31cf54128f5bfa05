//! Benchmarks of the model registry (`frame_benchmarking::v2`), run as tests against the mock.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use sp_runtime::{traits::Zero, Saturating};

/// The manifest every benchmark registers.
const MANIFEST: ModelId = ModelId::repeat_byte(7);

/// The largest spec: `Other` architecture with the longest name, every limit at its bound.
fn worst_spec<T: Config>() -> ModelSpecOf<T> {
	let name = alloc::vec![b'x'; <MaxArchitectureName as Get<u32>>::get() as usize];
	ModelSpec {
		architecture: Architecture::Other(name.try_into().unwrap_or_default()),
		max_input_len: T::MaxInputLen::get(),
		max_output_len: T::MaxOutputLen::get(),
		price: T::MinPrice::get(),
		replication: T::MaxReplication::get(),
		quorum: T::MinQuorum::get(),
		contract: NumericalContract::Tolerance { eps: T::MaxToleranceEps::get() },
		royalty: T::MaxRoyalty::get(),
		compute_blocks: T::MaxComputeBlocks::get(),
	}
}

/// An account able to pay the deposit a few times over.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::ModelDeposit::get()
		.saturating_add(T::Currency::minimum_balance())
		.saturating_mul(10u32.into());
	T::Currency::set_balance(&who, amount);
	who
}

/// A registered model owned by a funded account.
fn registered<T: Config>() -> (T::AccountId, ModelId) {
	let owner = funded::<T>("owner", 0);
	frame_support::assert_ok!(Pallet::<T>::register(
		RawOrigin::Signed(owner.clone()).into(),
		MANIFEST,
		worst_spec::<T>()
	));
	(owner, model_id(&MANIFEST, &worst_spec::<T>()))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let owner = funded::<T>("owner", 0);
		let spec = worst_spec::<T>();
		let id = model_id(&MANIFEST, &spec);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), MANIFEST, spec);
		assert_eq!(Models::<T>::get(id).map(|m| m.owner), Some(owner));
	}

	#[benchmark]
	fn update_price() {
		let (owner, id) = registered::<T>();
		let price = T::MinPrice::get().saturating_add(1u32.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, price);
		assert_eq!(Models::<T>::get(id).map(|m| m.spec.price), Some(price));
	}

	/// Reactivation: the path that also reads the force lock.
	#[benchmark]
	fn set_status() {
		let (owner, id) = registered::<T>();
		frame_support::assert_ok!(Pallet::<T>::set_status(
			RawOrigin::Signed(owner.clone()).into(),
			id,
			ModelStatus::Deprecated
		));
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, ModelStatus::Active);
		assert_eq!(Models::<T>::get(id).map(|m| m.status), Some(ModelStatus::Active));
	}

	#[benchmark]
	fn transfer_ownership() {
		let (owner, id) = registered::<T>();
		let new_owner = funded::<T>("new_owner", 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, new_owner.clone());
		assert_eq!(Models::<T>::get(id).map(|m| m.owner), Some(new_owner));
	}

	#[benchmark]
	fn deregister() {
		let (owner, id) = registered::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);
		assert!(!Models::<T>::contains_key(id));
	}

	/// A force-deprecated model: the lock is removed too.
	#[benchmark]
	fn force_deregister() -> Result<(), BenchmarkError> {
		let (owner, id) = registered::<T>();
		ForceDeprecated::<T>::insert(id, ());
		Models::<T>::mutate(id, |m| {
			if let Some(m) = m {
				m.status = ModelStatus::Deprecated;
			}
		});
		let origin =
			T::ForceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert!(!Models::<T>::contains_key(id));
		assert!(!ForceDeprecated::<T>::contains_key(id));
		assert!(T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &owner).is_zero());
		Ok(())
	}

	#[benchmark]
	fn force_set_status() -> Result<(), BenchmarkError> {
		let (_, id) = registered::<T>();
		let origin =
			T::ForceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, ModelStatus::Deprecated);
		assert!(ForceDeprecated::<T>::contains_key(id));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
