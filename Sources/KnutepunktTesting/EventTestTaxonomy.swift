import KnutepunktDomain

/// The taxonomy the event tests validate against, built in code from DOMAIN.md's codes so these tests need nothing
/// outside KnutepunktDomain (Configs/taxonomy.yaml is read by KnutepunktConfig).
package enum EventTestTaxonomy {
    package static let taxonomy: Taxonomy = {
        func figure(_ births: Int) -> Taxonomy.Figure {
            Taxonomy.Figure(value: births, year: 2023, source: "DOMAIN.md (estimate)", estimate: true)
        }
        let regions = [
            Taxonomy.Region(
                code: "NO-SOROST",
                name: "Sør-Øst",
                country: "NO",
                centre: "RBUP Øst og Sør",
                births: figure(29_300)
            ),
            Taxonomy.Region(code: "NO-VEST", name: "Vest", country: "NO", centre: "RKBU Vest", births: figure(11_500)),
            Taxonomy.Region(
                code: "NO-MIDT",
                name: "Midt",
                country: "NO",
                centre: "RKBU Midt-Norge",
                births: figure(6_950)
            ),
            Taxonomy.Region(code: "NO-NORD", name: "Nord", country: "NO", centre: "RKBU Nord", births: figure(4_300)),
        ]
        let nodes: [(String, String, String)] = [
            ("NO-SOROST-OUS", "NO-SOROST", "Oslo"), ("NO-SOROST-AHUS", "NO-SOROST", "Lørenskog"),
            ("NO-SOROST-OSTFOLD", "NO-SOROST", "Fredrikstad"), ("NO-SOROST-VESTREVIKEN", "NO-SOROST", "Drammen"),
            ("NO-SOROST-INNLANDET", "NO-SOROST", "Hamar"), ("NO-SOROST-VESTFOLD", "NO-SOROST", "Tønsberg"),
            ("NO-SOROST-TELEMARK", "NO-SOROST", "Skien"), ("NO-SOROST-SORLANDET", "NO-SOROST", "Kristiansand"),
            ("NO-VEST-STAVANGER", "NO-VEST", "Stavanger"), ("NO-VEST-FONNA", "NO-VEST", "Haugesund"),
            ("NO-VEST-BERGEN", "NO-VEST", "Bergen"), ("NO-VEST-FORDE", "NO-VEST", "Førde"),
            ("NO-MIDT-STOLAV", "NO-MIDT", "Trondheim"), ("NO-MIDT-NORDTRONDELAG", "NO-MIDT", "Levanger"),
            ("NO-MIDT-MORE", "NO-MIDT", "Ålesund"),
            ("NO-NORD-BODO", "NO-NORD", "Bodø"), ("NO-NORD-HELGELAND", "NO-NORD", "Mo i Rana"),
            ("NO-NORD-UNN", "NO-NORD", "Tromsø"), ("NO-NORD-FINNMARK", "NO-NORD", "Hammerfest"),
        ]
        func terms(_ codes: String) -> [Taxonomy.Term] {
            codes.split(separator: " ").map { Taxonomy.Term(code: String($0), name: String($0)) }
        }
        let programmes: [Taxonomy.Programme] = [
            .init(code: "NBO", name: "Newborn Behavioral Observations", tiers: ["U", "S"], ageBands: ["M0_3"]),
            .init(
                code: "CPP",
                name: "Child-Parent Psychotherapy",
                tiers: ["I", "T"],
                ageBands: ["M0_3", "M3_12", "Y1_3", "Y3_6"]
            ),
            .init(
                code: "NFP",
                name: "Nurse-Family Partnership",
                tiers: ["S"],
                ageBands: ["PREG", "M0_3", "M3_12", "Y1_3"]
            ),
            .init(
                code: "MARTE_MEO",
                name: "Marte Meo",
                tiers: ["U", "S", "I"],
                ageBands: ["M0_3", "M3_12", "Y1_3", "Y3_6"]
            ),
            .init(code: "TIK", name: "Tuning in to Kids", tiers: ["U", "S"], ageBands: ["Y3_6"]),
            .init(code: "COS_V", name: "Circle of Security Virginia", tiers: ["I"], ageBands: ["M3_12", "Y1_3"]),
            .init(code: "COS_VG", name: "COS Virginia group", tiers: ["S"], ageBands: ["M3_12", "Y1_3"]),
            .init(
                code: "COS_P",
                name: "Circle of Security Parenting",
                tiers: ["U", "S", "I"],
                ageBands: ["M3_12", "Y1_3", "Y3_6"]
            ),
            .init(
                code: "ABC",
                name: "Attachment and Biobehavioral Catch-up",
                tiers: ["I"],
                ageBands: ["M3_12", "Y1_3"]
            ),
            .init(code: "MAMMA_MIA", name: "Mamma Mia", tiers: ["U"], ageBands: ["PREG", "M0_3", "M3_12"]),
            .init(
                code: "EPDS",
                name: "Edinburgh Postnatal Depression Scale",
                tiers: ["U", "I"],
                ageBands: ["PREG", "M0_3", "M3_12"],
                tool: true
            ),
            .init(
                code: "ICDP",
                name: "International Child Development Programme",
                tiers: ["U", "S", "I"],
                ageBands: ["M3_12", "Y1_3", "Y3_6"]
            ),
            .init(
                code: "VIPP",
                name: "Video-feedback Intervention",
                tiers: ["S", "I"],
                ageBands: ["M3_12", "Y1_3", "Y3_6"]
            ),
            .init(code: "MTB", name: "Minding the Baby", tiers: ["S"], ageBands: ["PREG", "M0_3", "M3_12", "Y1_3"]),
            .init(code: "MITP", name: "Mother-Infant Transaction Program", tiers: ["S", "I"], ageBands: ["M0_3"]),
        ]
        return Taxonomy(
            regions: regions,
            nodes: nodes.map { Taxonomy.LocalNode(code: $0.0, region: $0.1, name: $0.2, town: $0.2) },
            kinds: terms(
                "INFANT_DAY RESEARCH_COLLAB CONSULT_COLLAB TRAINING CERTIFICATION DELIVERY SCREENING EVALUATION NETWORK_MEETING PILOT"
            ),
            targetGroups: terms(
                "ALL PREG_MH PND PAR_MH SUBST PRETERM ASD KG_START HICONF PRISON VIOLENCE CW_CARE YOUNG_FIRST MIGRANT REGUL FATHERS SAMI"
            ),
            tiers: terms("U S I T NA"),
            ageBands: terms("PREG M0_3 M3_12 Y1_3 Y3_6"),
            professions: terms(
                "MIDWIFE PHN GP PAED OBGYN PSYCHIATRIST PSYCH CW SOCW KG_TEACHER PHYSIO SPED FAMTHER NEONATAL_NURSE PRISON_STAFF OTHER"
            ),
            professionGroups: ["PHYSICIAN_ANY": ["GP", "PAED", "OBGYN", "PSYCHIATRIST"]],
            funding: terms("PERMANENT TEMPORARY_PROJECT"),
            programmes: programmes
        )
    }()
}
