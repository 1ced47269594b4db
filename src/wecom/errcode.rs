//! WeCom errcode explanations (being written).
