//! With the `transformer` feature, records libtorch's folder ($LIBTORCH/lib, from
//! models/transformer/env.sh) as a run-time search path of the binary and the tests, so they
//! start without LD_LIBRARY_PATH once built. Without the feature this does nothing.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_TRANSFORMER").is_none() {
        return;
    }
    if let Some(libtorch) = std::env::var_os("LIBTORCH") {
        let lib = std::path::Path::new(&libtorch).join("lib");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
