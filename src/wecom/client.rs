//! The asynchronous HTTP client (being written).
