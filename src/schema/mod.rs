//! The image schemas: our `.proto` files, compiled at build time into an embedded
//! descriptor set, flattened here into lookup tables the codec walks.
//!
//! Everything the JSON conversion needs to know about a field — its wire type,
//! whether it repeats, and its `(criu)` options — is read from the descriptors,
//! so a new field in `proto/` needs no code.

pub mod magic;
pub mod names;

use std::collections::HashMap;
use std::sync::OnceLock;

use prost_reflect::DescriptorPool;

/// The descriptor set `build.rs` compiled from `proto/`.
pub(crate) const DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/criu.fds"));

/// Index of a message in [`Schema::messages`].
pub type MessageId = usize;
/// Index of an enum in [`Schema::enums`].
pub(crate) type EnumId = usize;

/// A field's protobuf type, with message and enum types resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `double`
    Double,
    /// `float`
    Float,
    /// `int32` (varint, negatives sign-extended)
    Int32,
    /// `int64`
    Int64,
    /// `uint32`
    Uint32,
    /// `uint64`
    Uint64,
    /// `sint32` (zigzag varint)
    Sint32,
    /// `sint64` (zigzag varint)
    Sint64,
    /// `fixed32`
    Fixed32,
    /// `fixed64`
    Fixed64,
    /// `sfixed32`
    Sfixed32,
    /// `sfixed64`
    Sfixed64,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `bytes`
    Bytes,
    /// An enum, by index into [`Schema::enums`].
    Enum(EnumId),
    /// A message, by index into [`Schema::messages`].
    Message(MessageId),
}

impl Kind {
    /// True for the integer kinds the `(criu)` number options apply to.
    pub fn is_integer(self) -> bool {
        !matches!(
            self,
            Kind::Double | Kind::Float | Kind::Bool | Kind::String | Kind::Bytes | Kind::Enum(_) | Kind::Message(_)
        )
    }
}

/// A `(criu).flags` table: bit names in the order the Python CRIT prints them.
pub(crate) type FlagTable = &'static [(&'static str, u64)];

/// A `(criu).dict` table: values and their names.
pub(crate) type DictTable = &'static [(u64, &'static str)];

/// The `(criu)` field options, resolved to the tables they name.
#[derive(Debug, Clone, Default)]
pub struct CriuOpts {
    /// Print as `0x…` (and everything inside, for a message field).
    pub hex: bool,
    /// A repeated u32 holding an IPv4 or IPv6 address in network order.
    pub ipadd: bool,
    /// Bit flags, printed as `A | B`; `Some(None)` names a table CRIU lacks (printed as hex).
    pub flags: Option<Option<FlagTable>>,
    /// A device number, printed as `major:minor`.
    pub dev: bool,
    /// With `dev`: the old 8-bit-minor encoding.
    pub odev: bool,
    /// A value with names (`sk` family/type/state/proto, `gen` task_state).
    pub dict: Option<DictTable>,
    /// Bytes written as quoted-printable rather than base64 (`unix_name`).
    pub unix_name: bool,
}

/// One field of a message.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name in the `.proto` (and in the Python CRIT's JSON).
    pub name: String,
    /// `"name": `, escaped and quoted once for the JSON writer.
    pub json_key: Box<[u8]>,
    /// The lowerCamelCase name protobuf's JSON mapping (and the Go CRIT) uses.
    pub json_name: String,
    /// The field number.
    pub number: u32,
    /// Its type.
    pub kind: Kind,
    /// `repeated` label.
    pub repeated: bool,
    /// `required` label.
    pub required: bool,
    /// Its `(criu)` options.
    pub opts: CriuOpts,
}

/// One message: its fields sorted by number, the order the Python CRIT prints.
#[derive(Debug, Clone)]
pub struct Message {
    /// The message's name (package-less, nested ones dotted: `core_entry.march`).
    pub name: String,
    /// Its fields, sorted by number.
    pub fields: Vec<Field>,
    by_name: HashMap<String, usize>,
    /// Field index + 1 by field number (0: none), for the numbers CRIU uses
    /// (all small): decode looks a field up for every value it writes.
    by_number: Box<[u8]>,
}

impl Message {
    /// The index in [`fields`](Self::fields) of the field with this number.
    #[inline]
    pub(crate) fn index_of(&self, number: u32) -> Option<usize> {
        match self.by_number.get(number as usize) {
            Some(&0) => None,
            Some(&i) => Some(usize::from(i) - 1),
            None => self.fields.binary_search_by_key(&number, |f| f.number).ok(),
        }
    }

    /// The field with this number.
    pub fn field_by_number(&self, number: u32) -> Option<&Field> {
        self.fields
            .binary_search_by_key(&number, |f| f.number)
            .ok()
            .map(|i| &self.fields[i])
    }

    /// The field a JSON key names, and whether the key is its JSON name
    /// rather than its proto name. The scan starts at field `from` (where the
    /// previous key's field was: keys mostly come in field order).
    pub(crate) fn field_by_key(&self, name: &[u8], from: usize) -> Option<(&Field, bool)> {
        // Short keys: an inline compare beats a call to memcmp.
        let same = |a: &str| a.len() == name.len() && a.bytes().zip(name).all(|(x, y)| x == *y);
        let (head, tail) = self.fields.split_at(from.min(self.fields.len()));
        if let Some(f) = tail.iter().chain(head).find(|f| same(&f.name)) {
            return Some((f, false));
        }
        // Most messages are small: a scan beats hashing the key.
        if self.fields.len() <= 16 {
            return self.fields.iter().find(|f| same(&f.json_name)).map(|f| (f, true));
        }
        let name = std::str::from_utf8(name).ok()?;
        self.by_name.get(name).map(|&i| (&self.fields[i], true))
    }
}

/// One enum: its values by number and by name.
#[derive(Debug, Clone)]
pub struct Enum {
    /// The enum's name.
    pub name: String,
    /// Its values: name and number, in declaration order.
    pub values: Vec<(String, i32)>,
}

impl Enum {
    /// The name of a value.
    pub(crate) fn name_of(&self, number: i32) -> Option<&str> {
        self.values.iter().find(|(_, n)| *n == number).map(|(s, _)| s.as_str())
    }

    /// The number of a named value.
    pub(crate) fn number_of(&self, name: &str) -> Option<i32> {
        self.values.iter().find(|(s, _)| s == name).map(|(_, n)| *n)
    }
}

/// All messages and enums of the image format.
#[derive(Debug)]
pub struct Schema {
    /// Every message, indexed by [`MessageId`].
    pub messages: Vec<Message>,
    /// Every enum, indexed by `EnumId`.
    pub enums: Vec<Enum>,
    message_ids: HashMap<String, MessageId>,
}

impl Schema {
    /// The schema of CRIU's images, built once from the embedded descriptors.
    pub fn get() -> &'static Schema {
        static SCHEMA: OnceLock<Schema> = OnceLock::new();
        SCHEMA.get_or_init(Schema::build)
    }

    /// The id of a message by its (package-less) name.
    pub fn message_id(&self, name: &str) -> Option<MessageId> {
        self.message_ids.get(name).copied()
    }

    /// The message with this name.
    pub fn message(&self, name: &str) -> Option<&Message> {
        self.message_id(name).map(|id| &self.messages[id])
    }

    fn build() -> Schema {
        use tables::{ENUMS, MESSAGES};
        let message_ids = MESSAGES
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.to_string(), i))
            .collect();
        let enums = ENUMS
            .iter()
            .map(|e| Enum {
                name: e.name.to_string(),
                values: e.values.iter().map(|&(n, v)| (n.to_string(), v)).collect(),
            })
            .collect();
        let messages = MESSAGES
            .iter()
            .map(|m| {
                let fields: Vec<Field> = m
                    .fields
                    .iter()
                    .map(|f| {
                        // A protobuf field name is an identifier (letters, digits,
                        // `_`): quoted, it needs no escaping (a test in
                        // `message_json::writer` holds every key to the escaper).
                        let json_key = format!("\"{}\": ", f.name).into_bytes();
                        Field {
                            name: f.name.to_string(),
                            json_key: json_key.into(),
                            json_name: f.json_name.to_string(),
                            number: f.number,
                            kind: f.kind,
                            repeated: f.repeated,
                            required: f.required,
                            opts: CriuOpts {
                                hex: f.hex,
                                ipadd: f.ipadd,
                                flags: f.flags.map(names::flag_table),
                                dev: f.dev,
                                odev: f.odev,
                                dict: f.dict.and_then(|d| names::dict_table(d, f.name)),
                                unix_name: f.conv == Some("unix_name"),
                            },
                        }
                    })
                    .collect();
                let mut by_name = HashMap::new();
                for (i, f) in fields.iter().enumerate() {
                    by_name.insert(f.json_name.clone(), i);
                }
                // Proto names win over a clashing JSON name.
                for (i, f) in fields.iter().enumerate() {
                    by_name.insert(f.name.clone(), i);
                }
                let top = fields.iter().map(|f| f.number).filter(|&n| n < 1024).max().unwrap_or(0);
                let mut by_number = vec![0u8; top as usize + 1];
                for (i, f) in fields.iter().enumerate() {
                    if let (Some(slot), Ok(i)) = (by_number.get_mut(f.number as usize), u8::try_from(i + 1)) {
                        *slot = i;
                    }
                }
                // A field past 255 is found by its number's binary search.
                if fields.len() >= 255 {
                    by_number.clear();
                }
                Message {
                    name: m.name.to_string(),
                    fields,
                    by_name,
                    by_number: by_number.into(),
                }
            })
            .collect();
        Schema {
            messages,
            enums,
            message_ids,
        }
    }
}

/// The tables `build.rs` writes from `proto/` (see `schema_tables`).
mod tables {
    use super::Kind;

    pub(crate) struct EnumDef {
        pub name: &'static str,
        pub values: &'static [(&'static str, i32)],
    }

    pub(crate) struct MessageDef {
        pub name: &'static str,
        pub fields: &'static [FieldDef],
    }

    pub(crate) struct FieldDef {
        pub name: &'static str,
        pub json_name: &'static str,
        pub number: u32,
        pub kind: Kind,
        pub repeated: bool,
        pub required: bool,
        pub hex: bool,
        pub ipadd: bool,
        pub dev: bool,
        pub odev: bool,
        pub flags: Option<&'static str>,
        pub dict: Option<&'static str>,
        pub conv: Option<&'static str>,
    }

    include!(concat!(env!("OUT_DIR"), "/schema_tables.rs"));
}

/// The number of field `field` of message `message` (package-less names, as
/// in [`Schema::message`]), straight from the build-time tables: for readers
/// that pick one field out of a message without building the [`Schema`].
pub(crate) fn field_number(message: &str, field: &str) -> Option<u32> {
    let m = tables::MESSAGES.iter().find(|m| m.name == message)?;
    m.fields.iter().find(|f| f.name == field).map(|f| f.number)
}

/// The embedded descriptor pool (with `google/protobuf/descriptor.proto` for options).
pub fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| DescriptorPool::decode(DESCRIPTOR_SET).expect("embedded descriptor set is valid"))
}
