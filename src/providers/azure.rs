//! placeholder
use super::{Kind, PageInput, ParseError};
use crate::model::Observation;

pub fn parse(_page: &PageInput<'_>) -> Result<Observation, ParseError> {
    Err(ParseError::new(Kind::Aws, "not yet"))
}
