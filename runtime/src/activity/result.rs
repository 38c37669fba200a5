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

/// The value a function with `ret` returned, whose type the macro could not
/// tell from its name: it may be a `Result` under another name
/// (`type Fallible<T> = Result<T, MyErr>`). `Returned(&out).outcome()` splits
/// it when it is a `Result` ([`ResultReturned`], picked first by method
/// resolution), and is the whole value as success otherwise
/// ([`OtherReturned`], reached by auto-ref), so `ret` records the success
/// value either way.
///
/// The methods take `self` by value and return borrows of the function's
/// result (`'a`), not of the `Returned`, a temporary of the generated code.
#[doc(hidden)]
pub struct Returned<'a, R>(pub &'a R);

/// See [`Returned`]: a `Result`.
#[doc(hidden)]
pub trait ResultReturned<'a> {
    /// The success value's type.
    type Ok: 'a;
    /// The error's type.
    type Err: 'a;
    /// Borrows the success or error value.
    fn outcome(self) -> Result<&'a Self::Ok, &'a Self::Err>;
}

impl<'a, T, E> ResultReturned<'a> for Returned<'a, Result<T, E>> {
    type Ok = T;
    type Err = E;
    #[inline(always)]
    fn outcome(self) -> Result<&'a T, &'a E> {
        self.0.as_ref()
    }
}

/// See [`Returned`]: any other value, always a success.
#[doc(hidden)]
pub trait OtherReturned<'a> {
    /// The value's type.
    type Ok: 'a;
    /// Borrows the value; never an error.
    fn outcome(self) -> Result<&'a Self::Ok, &'a core::convert::Infallible>;
}

impl<'a, R> OtherReturned<'a> for &Returned<'a, R> {
    type Ok = R;
    #[inline(always)]
    fn outcome(self) -> Result<&'a R, &'a core::convert::Infallible> {
        Ok(self.0)
    }
}
