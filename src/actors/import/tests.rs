use super::*;
use crate::models::ModelFile;

const PLACES: &str = "schema_version = 1\n\
[[country]]\ncode = \"DZA\"\nname = \"Algeria\"\ncapitals = [\"Algiers\"]\n\
[[country]]\ncode = \"KOR\"\nname = \"South Korea\"\n\
[[country]]\ncode = \"UNO\"\nname = \"United Nations\"\n";

const CURATED: &str = "schema_version = 1\n[[actor]]\nid = \"ban\"\nname = \"Ban Ki-moon\"\nkind = \"person\"\ncountry = \"UNO\"\n";

const CODES: &str = "schema_version = 1\nfamily_name_first = [\"KOR\"]\ntransnational = [\"IGO\"]\nnot_countries = []\n\
organisation_words = [\"council\"]\ngeneric_words = [\"envoy\"]\n[country]\n[territory]\n\
[igo]\nUNO = { code = \"UNO\", org = \"United Nations\" }\n\
[sector]\nGOV = \"government\"\nAGR = \"agriculture\"\n";

fn setup() -> (Registry, CameoCodes) {
    let reg = Registry::load(
        &[ModelFile::from_text("p.toml", PLACES)],
        &[ModelFile::from_text("a.toml", CURATED)],
    )
    .unwrap();
    let codes =
        CameoCodes::load(&ModelFile::from_text("c.toml", CODES), reg.countries.keys()).unwrap();
    (reg, codes)
}

fn run(text: &str, kind: DictionaryKind) -> Imported {
    let (reg, codes) = setup();
    let dicts = [Dictionary {
        name: "d.txt".into(),
        text,
        kind,
    }];
    convert(&dicts, &codes, &reg)
}

#[test]
fn a_dictionary_person_becomes_an_actor_with_dated_roles_and_the_latest_country() {
    let out = run(
        "ALGERIA_ [DZA]\n+ALGIERS_\nSAID_BARKAT_\n+SAID_BARAKAT_\n\t[DZAGOVAGR 030101-080630]\n\t[DZAGOV >100701]\n",
        DictionaryKind::Countries,
    );
    assert_eq!(out.actors.len(), 1, "{:?}", out.actors);
    let a = &out.actors[0];
    assert_eq!(a.id, "phoenix-said-barkat");
    assert_eq!(a.name, "Said Barkat");
    assert_eq!(a.kind, ActorKind::Person);
    assert_eq!(a.country, "DZA");
    assert_eq!(a.aliases, vec!["Said Barakat"]);
    assert_eq!(a.roles.len(), 2);
    assert_eq!(a.roles[0].title, "government (agriculture)");
    assert_eq!(a.roles[1].to, None);
    assert_eq!(
        out.report
            .skipped
            .get("country entries (the gazetteer's job)"),
        Some(&1)
    );
}

#[test]
fn a_curated_actor_wins_over_the_dictionary_entry_that_shares_a_name() {
    let out = run(
        "SECRETARY-GENERAL_BAN_KI-MOON\n+BAN_KI-MOON\n\t[IGOUNO >20070101]\n",
        DictionaryKind::International,
    );
    assert!(out.actors.is_empty(), "{:?}", out.actors);
    assert_eq!(
        out.report
            .skipped
            .get("entries sharing a name with a curated actor (curated wins)"),
        Some(&1)
    );
}

#[test]
fn unmapped_codes_generic_agents_and_single_words_are_counted_not_imported() {
    let out = run(
        "UN_ENVOY_ [IGOUNO]\nAFRICAN_UNION_COUNCIL_ [IGOAFRAFU]\nHAMMARSKJOLD_ [IGOUNO 530410-610918]\nTHE_SECURITY_COUNCIL_ [IGOUNO]\n",
        DictionaryKind::International,
    );
    assert_eq!(out.actors.len(), 1, "{:?}", out.actors);
    assert_eq!(out.actors[0].name, "The Security Council");
    assert_eq!(out.actors[0].kind, ActorKind::Organisation);
    assert_eq!(out.actors[0].country, "UNO");
    assert_eq!(out.report.unmapped_codes.get("IGOAFRAFU"), Some(&1));
    assert_eq!(
        out.report.skipped.get("generic names (\"UN envoy\")"),
        Some(&1)
    );
}

#[test]
fn entries_of_the_same_name_merge_and_a_shared_alias_stays_with_the_first() {
    let out = run(
        "KIM_SUNG_HWAN_\n+KIM_S_H_\n\t[KORGOV 080101-101231]\nKIM_SUNG_HWAN_\n\t[KORGOVAGR 110101-121231]\nPARK_JI_WON_\n+KIM_S_H_\n\t[KORGOV 050101-061231]\n",
        DictionaryKind::Countries,
    );
    assert_eq!(out.actors.len(), 2);
    assert_eq!(out.actors[0].roles.len(), 2);
    assert!(out.actors[1].aliases.is_empty());
    assert_eq!(
        out.actors[1].surname.as_deref(),
        Some("Park"),
        "family name first in Korea"
    );
}

#[test]
fn the_rendered_registry_loads_and_is_the_same_bytes_twice() {
    let text = "SAID_BARKAT_\n\t[DZAGOVAGR 030101-080630]\n\t[DZAGOV >100701]\nO'NEILL_DE_LA_CRUZ_\n\t[IGOUNO 090101-091231]\n";
    let out = run(text, DictionaryKind::Countries);
    let sources = [("d.txt".to_string(), "0".repeat(64))];
    let rendered = render(&out.actors, &out.report, &sources);
    assert_eq!(
        rendered,
        render(
            &run(text, DictionaryKind::Countries).actors,
            &out.report,
            &sources
        )
    );
    assert!(
        rendered.contains("name = \"O'Neill de la Cruz\""),
        "{rendered}"
    );
    let reg = Registry::load(
        &[ModelFile::from_text("p.toml", PLACES)],
        &[
            ModelFile::from_text("a.toml", CURATED),
            ModelFile::from_text("x.toml", rendered),
        ],
    )
    .unwrap();
    let i = reg
        .lookup(&fold_surface("O'Neill de la Cruz"))
        .expect("imported name");
    let d = NaiveDate::from_ymd_opt(2009, 6, 1).unwrap();
    let role = reg.actors[i].role_on(d).expect("role on date");
    // The role's country is the actor's own here, so the file leaves it out.
    assert_eq!(role.country, None);
    assert_eq!(reg.actors[i].country_on(d), "UNO");
    assert_eq!(role.org.as_deref(), Some("United Nations"));
}

#[test]
fn display_names_keep_particles_lowercase_and_hyphenated_parts_capitalised() {
    assert_eq!(display_name("BAN KI-MOON"), "Ban Ki-Moon");
    assert_eq!(display_name("JAVIER DE CUELLAR"), "Javier de Cuellar");
    assert_eq!(display_name("MUHAMMAD AL-BARADEI"), "Muhammad al-Baradei");
    assert_eq!(display_name("R.K. PACHAURI"), "R.K. Pachauri");
}
