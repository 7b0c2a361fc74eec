struct Demo;

#[ipv8::community]
impl Clone for Demo {
    fn clone(&self) -> Self {
        Demo
    }
}

fn main() {}
