"""Country codes: QuickBooks now writes ISO 3166-1 alpha-3 ("USA"), Odoo keeps alpha-2 ("US").

Older QuickBooks data holds alpha-2 codes or English names ("United States"); :func:`to_iso2`
accepts all three. Names come from CLDR through Babel, which Odoo itself depends on.
"""

import functools

from babel import Locale

# ISO 3166-1: alpha-2 immediately followed by alpha-3, for all 249 countries plus Kosovo (XK),
# which Odoo lists too.
_PAIRS = (
    "ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE "
    "BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS "
    "BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN "
    "COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST "
    "EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF "
    "GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD "
    "HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM "
    "JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO LBLBN LCLCA "
    "LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD "
    "MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM "
    "NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG "
    "PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA "
    "SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD "
    "STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON "
    "TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR "
    "VNVNM VUVUT WFWLF WSWSM XKXKX YEYEM YTMYT ZAZAF ZMZMB ZWZWE "
)
ISO2_TO_ISO3 = {pair[:2]: pair[2:] for pair in "".join(_PAIRS).split()}
ISO3_TO_ISO2 = {iso3: iso2 for iso2, iso3 in ISO2_TO_ISO3.items()}
# Spellings found in QuickBooks data that CLDR's English names do not cover.
_ALIASES = {"united states of america": "US", "u.s.a.": "US", "u.s.": "US", "uk": "GB",
            "great britain": "GB", "england": "GB", "south korea": "KR", "russia": "RU"}


def to_iso3(iso2):
    """The alpha-3 code of an alpha-2 code (any case), or None when unknown."""
    return ISO2_TO_ISO3.get(iso2.strip().upper()) if isinstance(iso2, str) else None


def to_iso2(value):
    """The alpha-2 code for a QuickBooks ``Country`` (alpha-3, alpha-2 or English name), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = " ".join(value.split()).upper()
    if key in ISO3_TO_ISO2:
        return ISO3_TO_ISO2[key]
    if key in ISO2_TO_ISO3:
        return key
    return _names().get(key.casefold())


@functools.cache
def _names():
    names = {name.casefold(): code for code, name in Locale("en").territories.items() if code in ISO2_TO_ISO3}
    return names | _ALIASES
