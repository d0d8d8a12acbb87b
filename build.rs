// sqlx::migrate! embeds the migrations at compile time, but cargo does not know a new file in
// migrations/ changes the crate: without this, a build after adding one runs the old schema.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
