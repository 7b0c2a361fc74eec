//! The built-in wire formats by py-ipv8 name, and the default format of a Rust field type (py-ipv8's
//! dataclass annotation mapping).

use syn::{GenericArgument, PathArguments, Type};

/// The py-ipv8 name and the marker type (under `__private::format`) of every built-in format.
const FORMATS: &[(&str, &str)] = &[
    ("?", "Bool"),
    ("B", "U8"),
    ("BBH", "Bbh"),
    ("BH", "Bh"),
    ("c", "Char"),
    ("f", "F32"),
    ("d", "F64"),
    ("H", "U16"),
    ("HH", "Hh"),
    ("I", "U32"),
    ("l", "I32"),
    ("LL", "Ll"),
    ("q", "I64"),
    ("Q", "U64"),
    ("QH", "Qh"),
    ("QL", "Ql"),
    ("QQHHBH", "Qqhhbh"),
    ("ccB", "Ccb"),
    ("4SH", "S4h"),
    ("20s", "FixedBytes<20>"),
    ("32s", "FixedBytes<32>"),
    ("64s", "FixedBytes<64>"),
    ("74s", "FixedBytes<74>"),
    ("c20s", "C20s"),
    ("bits", "Bits"),
    ("ipv4", "Ipv4"),
    ("raw", "Raw"),
    ("varlenH", "VarlenH"),
    ("doublevarlenH", "VarlenH"),
    ("varlenI", "VarlenI"),
    ("varlenHutf8", "VarlenHUtf8"),
    ("varlenIutf8", "VarlenIUtf8"),
    ("varlenBx2", "VarlenBx2"),
    ("varlenHx20", "VarlenHx20"),
    ("varlenH-list", "VarlenHList"),
    ("address", "AddressFmt"),
    ("ip_address", "IpAddress"),
    ("payload", "Nested"),
    ("payload-list", "NestedList"),
    ("arrayH-?", "ArrayBool"),
    ("arrayH-q", "ArrayQ"),
    ("arrayH-d", "ArrayD"),
    // The DHT's node list (py-ipv8 registers it on the DHT community's serializer).
    ("node-list", "NodeList"),
];

/// The marker type of a built-in format name.
pub(crate) fn marker(name: &str) -> Option<&'static str> {
    FORMATS.iter().find(|(n, _)| *n == name).map(|(_, marker)| *marker)
}

/// Comma-separated list of every built-in name, for error messages.
pub(crate) fn all_names() -> String {
    FORMATS.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
}

/// Why a type has no default format.
pub(crate) struct Unsupported(pub(crate) String);

/// The default format of a field type, as py-ipv8 maps dataclass annotations: `i64` → `q`,
/// `String` → `varlenHutf8`, `Vec<i64>` → `arrayH-q`, another type → a nested `payload`, …
pub(crate) fn default_for(ty: &Type) -> Result<&'static str, Unsupported> {
    let Some((name, arg)) = last_segment(ty) else {
        return match byte_array_len(ty) {
            Some(len @ ("20" | "32" | "64" | "74")) => marker_name(&format!("{len}s")),
            _ => Err(unsupported(ty, "")),
        };
    };
    if let Some(format) = scalar(&name) {
        return Ok(format);
    }
    if name == "Vec" {
        return arg.map_or_else(|| Err(unsupported(ty, "")), |item| list_of(ty, &item));
    }
    if NOT_PAYLOADS.contains(&name.as_str()) {
        return Err(unsupported(ty, ""));
    }
    Ok("payload")
}

fn marker_name(name: &str) -> Result<&'static str, Unsupported> {
    FORMATS.iter().find(|(n, _)| *n == name).map(|(n, _)| *n).ok_or(Unsupported(String::new()))
}

fn list_of(ty: &Type, item: &Type) -> Result<&'static str, Unsupported> {
    match last_segment(item) {
        Some((name, None)) if name == "u8" => Ok("varlenH"),
        Some((name, None)) if name == "i64" => Ok("arrayH-q"),
        Some((name, None)) if name == "bool" => Ok("arrayH-?"),
        Some((name, None)) if name == "f64" => Ok("arrayH-d"),
        Some((name, Some(inner))) if name == "Vec" && is_named(&inner, "u8") => Ok("varlenH-list"),
        Some((name, _)) if scalar(&name).is_some() || NOT_PAYLOADS.contains(&name.as_str()) => {
            Err(unsupported(
                ty,
                "; py-ipv8 has no list format for it (lists of bytes are `Vec<Vec<u8>>`)",
            ))
        }
        Some(_) => Ok("payload-list"),
        None => Err(unsupported(ty, "")),
    }
}

fn unsupported(ty: &Type, extra: &str) -> Unsupported {
    let ty = quote::quote!(#ty).to_string().replace(' ', "");
    Unsupported(format!(
        "unsupported field type `{ty}`{extra}; choose a wire format with \
         #[payload(format = \"...\")], or convert it with a fix-up"
    ))
}

fn scalar(name: &str) -> Option<&'static str> {
    Some(match name {
        "bool" => "?",
        "u8" => "B",
        "u16" => "H",
        "u32" => "I",
        "u64" => "Q",
        "i32" => "l",
        "i64" => "q",
        "f32" => "f",
        "f64" => "d",
        "String" => "varlenHutf8",
        "SocketAddrV4" => "ipv4",
        "SocketAddr" => "ip_address",
        _ => return None,
    })
}

/// Types that are never payloads: primitives without a format and standard containers.
const NOT_PAYLOADS: &[&str] = &[
    "i8", "i16", "i128", "u128", "isize", "usize", "char", "str", "Option", "Box", "Rc", "Arc",
    "HashMap", "HashSet", "BTreeMap", "BTreeSet", "VecDeque", "Result", "Cow",
];

fn last_segment(ty: &Type) -> Option<(String, Option<Type>)> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    let arg = match &segment.arguments {
        PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(GenericArgument::Type(arg)) if args.args.len() == 1 => Some(arg.clone()),
            _ => return None,
        },
        PathArguments::None => None,
        PathArguments::Parenthesized(_) => return None,
    };
    Some((segment.ident.to_string(), arg))
}

fn is_named(ty: &Type, name: &str) -> bool {
    matches!(last_segment(ty), Some((n, None)) if n == name)
}

fn byte_array_len(ty: &Type) -> Option<&'static str> {
    let Type::Array(array) = ty else { return None };
    if !is_named(&array.elem, "u8") {
        return None;
    }
    let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(len), .. }) = &array.len else {
        return None;
    };
    ["20", "32", "64", "74"].into_iter().find(|n| len.base10_digits() == *n)
}
