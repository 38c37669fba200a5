//! [`SplitResult`]: how `#[otel_event(err)]` tells a function's success from
//! its error, to write the one or the other in the stop event.

/// A function result that `err` can split into its success or error value:
/// implemented for `Result`.
///
/// The success and error types are parameters (not associated types) so that
/// a function that does not return a `Result` gets exactly one error.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`err` needs a function that returns a `Result`, not `{Self}`",
    label = "the function does not return a `Result`",
    note = "remove `err`, or return `Result<T, E>` with `E: Display`"
)]
pub trait SplitResult<T, E> {
    /// Borrows the success or error value.
    fn split(&self) -> Result<&T, &E>;
}

impl<T, E> SplitResult<T, E> for Result<T, E> {
    #[inline(always)]
    fn split(&self) -> Result<&T, &E> {
        self.as_ref()
    }
}
