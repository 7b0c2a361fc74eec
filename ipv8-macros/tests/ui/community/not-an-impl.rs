#[ipv8::community]
struct Demo;

fn main() {}
