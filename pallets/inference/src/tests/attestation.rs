//! `commit_attested` and `reveal_attested`: general transactions authorized by an operator's
//! `infr` session key.

use crate::{
	attestation::{commit_payload, reveal_payload, ATTESTATION_PRIORITY},
	mock::*,
	Attestation, Call, Error, Event, Jobs, Results,
};
use frame_support::{
	assert_noop, assert_ok,
	pallet_prelude::{
		Authorize, InvalidTransaction, TransactionSource, TransactionValidityError,
		UnknownTransaction,
	},
};
use frame_system::RawOrigin;
use sp_core::Pair;

/// `operator`'s attestation over `payload`, with its key registered as `session.set_keys`
/// would.
fn attest(operator: AccountId, payload: &[u8]) -> Attestation {
	let pair = infr_pair(operator);
	MockKeyOwner::set(&pair.public(), operator);
	Attestation { key: pair.public(), signature: pair.sign(payload) }
}

fn commit_call(job: u64, operator: AccountId, output: &[u8]) -> Call<Test> {
	let commitment = commitment_of(operator, output);
	let payload = commit_payload(&Inference::genesis_hash(), job, &commitment);
	Call::commit_attested { job_id: job, commitment, attestation: attest(operator, &payload) }
}

fn reveal_call(job: u64, operator: AccountId, output: &[u8]) -> Call<Test> {
	let payload = reveal_payload(&Inference::genesis_hash(), job, output, &salt_of(operator));
	Call::reveal_attested {
		job_id: job,
		output: output.to_vec().try_into().unwrap(),
		salt: salt_of(operator),
		attestation: attest(operator, &payload),
	}
}

fn authorize(call: &Call<Test>) -> Result<(), TransactionValidityError> {
	call.authorize(TransactionSource::External).expect("the call is authorizable").map(|_| ())
}

/// Authorize, then dispatch with the `Authorized` origin, as `AuthorizeCall` does.
fn apply(call: Call<Test>) {
	assert_ok!(authorize(&call));
	assert_ok!(frame_support::traits::UnfilteredDispatchable::dispatch_bypass_filter(
		call,
		RawOrigin::Authorized.into()
	));
}

#[test]
fn an_attested_commit_and_reveal_settle_a_job() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let output = fixed(&[5, 6]);
		for o in assigned(job) {
			let call = commit_call(job, o, &output);
			let (validity, _) = call.authorize(TransactionSource::Local).unwrap().unwrap();
			assert_eq!(validity.priority, ATTESTATION_PRIORITY);
			assert!(validity.longevity >= 1);
			apply(call);
			assert_eq!(last_event(), Event::Committed { job_id: job, operator: o });
		}
		for o in assigned(job) {
			apply(reveal_call(job, o, &output));
		}
		assert_eq!(Results::<Test>::get(job).unwrap().output, output);
	});
}

#[test]
fn one_pool_slot_per_job_operator_and_phase() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let [a, b] = [assigned(job)[0], assigned(job)[1]];
		let tags = |call: &Call<Test>| {
			call.authorize(TransactionSource::External).unwrap().unwrap().0.provides
		};
		// Two different commitments of one operator compete for one slot; another operator's
		// commit has its own.
		assert_eq!(
			tags(&commit_call(job, a, &fixed(&[1]))),
			tags(&commit_call(job, a, &fixed(&[2])))
		);
		assert_ne!(
			tags(&commit_call(job, a, &fixed(&[1]))),
			tags(&commit_call(job, b, &fixed(&[1])))
		);
	});
}

#[test]
fn attestations_that_must_not_enter_the_pool() {
	ExtBuilder::default().stakes(&[100, 200, 300, 400]).build_and_execute(|| {
		let job = submit();
		let o = assigned(job)[0];
		let output = fixed(&[1]);

		// A signature over something else (here: another job) is a bad proof.
		let mut call = commit_call(job, o, &output);
		if let Call::commit_attested { job_id, .. } = &mut call {
			*job_id = job + 1;
		}
		assert_eq!(authorize(&call), Err(InvalidTransaction::BadProof.into()));

		// A payload signed for another chain (another genesis hash) is a bad proof too.
		let commitment = commitment_of(o, &output);
		let foreign = commit_payload(&sp_core::H256::repeat_byte(9), job, &commitment);
		let call =
			Call::commit_attested { job_id: job, commitment, attestation: attest(o, &foreign) };
		assert_eq!(authorize(&call), Err(InvalidTransaction::BadProof.into()));

		// A key no operator set, and the key of an operator not drawn for the job.
		let stranger = infr_pair(99);
		let payload = commit_payload(&Inference::genesis_hash(), job, &commitment);
		let call = Call::commit_attested {
			job_id: job,
			commitment,
			attestation: Attestation { key: stranger.public(), signature: stranger.sign(&payload) },
		};
		assert_eq!(authorize(&call), Err(InvalidTransaction::BadSigner.into()));
		let outsider = (0..4).map(op).find(|x| !assigned(job).contains(x)).unwrap();
		assert_eq!(
			authorize(&commit_call(job, outsider, &output)),
			Err(InvalidTransaction::BadSigner.into())
		);

		// Unknown job; a reveal before the reveal phase; a commit twice; after the phase.
		let not_yet = Err(UnknownTransaction::CannotLookup.into());
		assert_eq!(authorize(&commit_call(99, o, &output)), not_yet);
		apply(commit_call(job, o, &output));
		assert_eq!(authorize(&reveal_call(job, o, &output)), not_yet);
		assert_eq!(authorize(&commit_call(job, o, &output)), Err(InvalidTransaction::Stale.into()));
		let commit_end = Jobs::<Test>::get(job).unwrap().commit_end;
		run_to_block(commit_end);
		assert_eq!(
			authorize(&commit_call(job, assigned(job)[1], &output)),
			Err(InvalidTransaction::Stale.into())
		);
		// A reveal that does not match the commitment.
		assert_eq!(
			authorize(&reveal_call(job, o, &fixed(&[2]))),
			Err(InvalidTransaction::Call.into())
		);
	});
}

#[test]
fn attested_calls_need_the_authorized_origin() {
	ExtBuilder::default().build_and_execute(|| {
		let job = submit();
		let o = assigned(job)[0];
		let Call::commit_attested { commitment, attestation, .. } =
			commit_call(job, o, &fixed(&[1]))
		else {
			unreachable!()
		};
		assert_noop!(
			Inference::commit_attested(
				RuntimeOrigin::signed(o),
				job,
				commitment,
				attestation.clone()
			),
			sp_runtime::DispatchError::BadOrigin
		);
		// Authorized, but the key's owner has since gone: the dispatch re-checks.
		let stranger = infr_pair(98);
		assert_noop!(
			Inference::commit_attested(
				RawOrigin::Authorized.into(),
				job,
				commitment,
				Attestation { key: stranger.public(), signature: attestation.signature }
			),
			Error::<Test>::UnknownKey
		);
	});
}
