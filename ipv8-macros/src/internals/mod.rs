//! The macros' internal model: attributes and fields are parsed and checked here, and code generation
//! reads only this model, never raw `syn`.

pub(crate) mod ast;
pub(crate) mod attr;
pub(crate) mod check;
pub(crate) mod ctxt;
pub(crate) mod formats;
pub(crate) mod handler;
pub(crate) mod symbol;
