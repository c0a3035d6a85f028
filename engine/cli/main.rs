fn main() {
    println!("terrane {}", env!("CARGO_PKG_VERSION"));
}
