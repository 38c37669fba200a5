//! What generated code calls. Not a public API: it changes without notice.

pub use crate::Level;
pub use crate::activity::ActivityId;
pub use crate::activity::call::{Abandoned, Activity};
pub use crate::activity::current::current_ids;
pub use crate::activity::future::ActivityFuture;
pub use crate::activity::result::{OtherReturned, ResultReturned, Returned, SplitResult};
pub use crate::activity::scope::{ActivityScope, call_once};
pub use crate::encode::direct::{Body, FrameWriter, MAX_VALUES, Values};
pub use crate::encode::field::Stored;
pub use crate::encode::field::{DebugField, DisplayField, Field, FieldValue};
pub use crate::encode::header::ActivityIds;
pub use crate::encode::layout::{
    event_name_meta, event_name_meta_len, macro_meta_tail, macro_meta_tail_len, macro_part_b_data,
    macro_part_b_data_len,
};
pub use crate::events::callsite::{CALLSITES, Callsite, EventInfo};
pub use crate::events::direct::{EventMeta, dispatch_direct};
pub use crate::events::dispatch::dispatch;
pub use crate::events::event::Event;
pub use crate::provider::{LIBRARY_PROVIDERS, LibraryProvider, MODULE_DEFAULTS, ModuleDefault};
pub use linkme;

/// A call site's library provider, as generated code names it: a value of
/// another type is a type error at the user's path.
pub const fn library_provider(provider: &'static LibraryProvider) -> &'static LibraryProvider {
    provider
}

/// An argument of an annotated function, for its entry event: `(&ArgRef(&x)).arg()`
/// is a copy of `x` when its type is `Copy` ([`ByCopy`], picked first by method
/// resolution), else `&x` ([`ByRef`]). A copy taken inside the enabled branch
/// keeps the function from spilling its arguments to the stack on entry, so the
/// disabled path stays one load and a branch.
pub struct ArgRef<'a, T: ?Sized>(pub &'a T);

/// See [`ArgRef`].
pub trait ByCopy {
    /// The argument's type.
    type Out;
    /// A copy of the argument.
    fn arg(&self) -> Self::Out;
}

impl<T: Copy> ByCopy for ArgRef<'_, T> {
    type Out = T;
    #[inline(always)]
    fn arg(&self) -> T {
        *self.0
    }
}

/// See [`ArgRef`].
pub trait ByRef<'a> {
    /// The argument's type.
    type Out: ?Sized;
    /// The argument.
    fn arg(&self) -> &'a Self::Out;
}

impl<'a, T: ?Sized> ByRef<'a> for &ArgRef<'a, T> {
    type Out = T;
    #[inline(always)]
    fn arg(&self) -> &'a T {
        self.0
    }
}
