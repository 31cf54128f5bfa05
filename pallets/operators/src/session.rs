//! The validator set: pallet-session's `SessionManager`, and the `infr` session key.
//!
//! Each new session takes the top `MaxValidators` eligible operators (active, self-bond at
//! least `MinSelfBond`, non-zero active stake) by active stake, ties broken by account id,
//! skipping those without session keys. With fewer than `MinValidators` the current set is
//! kept. The walk over operators is bounded by `MaxOperators`; pallet-session charges a full
//! block for a session rotation, so the selection needs no weight of its own.
//!
//! The pallet is also the session handler of the `infr` key (it only declares the key type;
//! pallet-session stores the keys, and its `KeyOwner` maps an `infr` key to its operator).

use crate::*;
use core::marker::PhantomData;
use frame_support::traits::OneSessionHandler;
use sp_runtime::{traits::Convert, BoundToRuntimeAppPublic};
use sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// The validators for `session`, or `None` to keep the current set.
	pub fn select_validators(session: SessionIndex) -> Option<Vec<T::AccountId>> {
		let mut candidates: Vec<(T::AccountId, BalanceOf<T>)> = Operators::<T>::iter()
			.filter(|(_, info)| Self::is_eligible(info) && !info.active_stake().is_zero())
			.map(|(who, info)| (who, info.active_stake()))
			.collect();
		candidates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
		let max = T::MaxValidators::get() as usize;
		let validators: Vec<T::AccountId> = candidates
			.into_iter()
			.map(|(who, _)| who)
			.filter(T::HasSessionKeys::contains)
			.take(max)
			.collect();
		let eligible = validators.len() as u32;
		if eligible < T::MinValidators::get() {
			log::warn!(
				target: LOG_TARGET,
				"session {session}: only {eligible} eligible operators, keeping the current set"
			);
			Self::deposit_event(Event::ValidatorSelectionSkipped { session, eligible });
			return None;
		}
		Self::deposit_event(Event::ValidatorsSelected { session, validators: validators.clone() });
		Some(validators)
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::select_validators(new_index)
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}

impl<T: Config> BoundToRuntimeAppPublic for Pallet<T> {
	type Public = verity_primitives::infr::Public;
}

impl<T: Config> OneSessionHandler<T::AccountId> for Pallet<T> {
	type Key = verity_primitives::infr::Public;

	fn on_genesis_session<'a, I>(_validators: I)
	where
		I: Iterator<Item = (&'a T::AccountId, Self::Key)> + 'a,
		T::AccountId: 'a,
	{
	}

	fn on_new_session<'a, I>(_changed: bool, _validators: I, _queued_validators: I)
	where
		I: Iterator<Item = (&'a T::AccountId, Self::Key)> + 'a,
		T::AccountId: 'a,
	{
	}

	fn on_disabled(_validator_index: u32) {}
}

/// The accounts with session keys in pallet-session (its `NextKeys`), for
/// [`Config::HasSessionKeys`].
pub struct SessionKeysRegistered<T>(PhantomData<T>);

impl<T: pallet_session::Config> Contains<T::AccountId> for SessionKeysRegistered<T> {
	fn contains(who: &T::AccountId) -> bool {
		T::ValidatorIdOf::convert(who.clone())
			.is_some_and(pallet_session::NextKeys::<T>::contains_key)
	}
}
